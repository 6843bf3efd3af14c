using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary>`skiff rm [-f] [-a] CONTAINER...`: prints each removed container's id; 1 when one is not found, 2 when one is running.</summary>
public static class RmCommand
{
    public static Command Create(GlobalOptions global)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Force removal of a running container" };
        var all = new Option<bool>("--all", "-a") { Description = "Remove all containers" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("rm", "Remove one or more containers") { force, all, names };
        cmd.SetAction(p =>
        {
            var paths = global.Paths(p);
            var store = new ContainerStore(paths);
            var remover = new ContainerRemover(paths);
            var targets = p.GetValue(names) ?? [];
            if (targets.Length == 0 && !p.GetValue(all))
                throw new EngineException("rm requires at least one argument, or --all");
            int exit = 0;
            var records = new List<ContainerRecord>();
            if (p.GetValue(all)) records.AddRange(store.All());
            foreach (string t in targets)
            {
                try { records.Add(store.Find(t)); }
                catch (EngineException e) { exit = Math.Max(exit, SkiffCli.Fail(e.Message, e.ExitCode)); }
            }
            foreach (var c in records.DistinctBy(c => c.Id))
            {
                try { Console.WriteLine(remover.Remove(c, p.GetValue(force))); }
                catch (EngineException e) { exit = Math.Max(exit, SkiffCli.Fail(e.Message, e.ExitCode)); }
            }
            return exit;
        });
        return cmd;
    }
}
