using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff rm [-f] [-a] [-t N] [-i] CONTAINER...`: prints each removed container's id; 1 when one is not found, 2 when one is running.</summary>
public static class RmCommand
{
    public static Command Create(GlobalOptions global)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Force removal of a running container (stopped first)" };
        var all = new Option<bool>("--all", "-a") { Description = "Remove all containers" };
        var time = new Option<int?>("--time", "-t") { Description = "Seconds to wait for stop before killing the container (with --force)" };
        var ignore = new Option<bool>("--ignore", "-i") { Description = "Ignore errors when a container does not exist" };
        var volumes = new Option<bool>("--volumes", "-v") { Description = "Remove anonymous volumes associated with the container" };
        // Containers depend on others only through shared namespaces (--network container:NAME and pods), which Skiff
        // does not make yet: so far --depend has nothing more to remove than the containers named.
        var depend = new Option<bool>("--depend") { Description = "Remove the container and all containers that depend on it" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("rm", "Remove one or more containers") { force, all, time, ignore, volumes, depend, names };
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p);
            var targets = (p.GetValue(names) ?? []).ToList();
            if (targets.Count == 0 && !p.GetValue(all))
                throw new EngineException("rm requires at least one argument, or --all");
            if (p.GetValue(all)) targets.AddRange(engine.List().Select(c => c.Id));
            int exit = 0;
            foreach (string t in targets.Distinct())
            {
                try { Console.WriteLine(engine.Remove(t, p.GetValue(force), p.GetValue(time), p.GetValue(volumes))); }
                catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject && p.GetValue(ignore)) { }
                catch (EngineException e) { exit = Math.Max(exit, SkiffCli.Fail(e.Message, ExitCodes.ForRemoval(e.Kind))); }
            }
            return exit;
        });
        return cmd;
    }
}
