using System.CommandLine;
using Skiff.Engine;

namespace Skiff.Cli.Commands;

/// <summary>`skiff image prune [-a] [-f]`: podman's prompt (unless -f), then the ids of the images removed, one a line.</summary>
public static class ImagePruneCommand
{
    public static Command Create(GlobalOptions global)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Remove all images not in use by containers, not just dangling ones" };
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var args = new Argument<string[]>("ARGS") { Arity = ArgumentArity.ZeroOrMore, Hidden = true };
        var cmd = new Command("prune", "Remove unused images") { all, force, args };
        cmd.SetAction(p =>
        {
            if ((p.GetValue(args) ?? []).Length > 0) throw new EngineException("`skiff image prune` takes no arguments");
            if (!p.GetValue(force))
            {
                Console.Out.Write(p.GetValue(all)
                    ? "WARNING! This command removes all images without at least one container associated with them.\n"
                    : "WARNING! This command removes all dangling images.\n");
                Console.Out.Write("Are you sure you want to continue? [y/N] ");
                Console.Out.Flush();
                string answer = Console.In.ReadLine() ?? throw new EngineException("EOF");
                if (!answer.StartsWith('y') && !answer.StartsWith('Y')) return 0;
            }
            foreach (string id in global.Engine(p).PruneImages(p.GetValue(all))) Console.WriteLine(id);
            return 0;
        });
        return cmd;
    }
}
