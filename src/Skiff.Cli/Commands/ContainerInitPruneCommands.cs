using System.CommandLine;
using Skiff.Engine;

namespace Skiff.Cli.Commands;

/// <summary>`container init` and `container prune`, as podman's.</summary>
public static class ContainerInitPruneCommands
{
    /// <summary>`skiff container init [-a] [-l] CONTAINER...`: the runtime's create without the start; prints each name given.</summary>
    public static Command Init(GlobalOptions global)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Initialize all containers" };
        var latest = new Option<bool>("--latest", "-l") { Description = "Act on the latest container Skiff is aware of" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("init", "Initialize one or more containers") { all, latest, names };
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p);
            var targets = (p.GetValue(names) ?? []).ToList();
            bool everything = p.GetValue(all), last = p.GetValue(latest);
            if ((everything || last) && targets.Count > 0) throw new EngineException("--all, --latest and containers cannot be used together");
            if (everything && last) throw new EngineException("--all and --latest cannot be used together");
            if (!everything && !last && targets.Count == 0) throw new EngineException("you must provide at least one name or id");
            if (last)
            {
                try { targets.Add(engine.Latest().Id); }
                catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject) { throw new EngineException("no such container", ErrorKind.NoSuchObject); }
            }
            int exit = 0;
            if (everything)
            {
                // podman's --all initializes those that can be and passes over the others.
                foreach (var c in engine.List().Where(c => c.State is not ("running" or "initialized")))
                {
                    try { Console.WriteLine(engine.Init(c.Id).Id); }
                    catch (EngineException e) { exit = SkiffCli.Fail(e.Message, e.ExitCode); }
                }
                return exit;
            }
            foreach (string t in targets)
            {
                try
                {
                    engine.Init(t);
                    Console.WriteLine(t);
                }
                catch (EngineException e) { exit = SkiffCli.Fail(e.Message, e.ExitCode); }
            }
            return exit;
        });
        return cmd;
    }

    /// <summary>`skiff container prune [-f] [--filter F]...`: removes the containers that are not running; asks first without -f.</summary>
    public static Command Prune(GlobalOptions global)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation.  The default is false" };
        var filter = new Option<string[]>("--filter") { Description = "Provide filter values (e.g. 'label=<key>=<value>')" };
        var cmd = new Command("prune", "Remove all non running containers") { force, filter };
        cmd.SetAction(p =>
        {
            if (!p.GetValue(force))
            {
                Console.Write("WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ");
                Console.Out.Flush();
                string answer = Console.In.ReadLine() ?? throw new EngineException("EOF");
                if (!answer.Trim().Equals("y", StringComparison.OrdinalIgnoreCase) && !answer.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase)) return 0;
            }
            int exit = 0;
            foreach (var report in global.Engine(p).Prune(p.GetValue(filter) ?? []))
            {
                if (report.Error is null) Console.WriteLine(report.Id);
                else exit = SkiffCli.Fail(report.Error, ExitCodes.EngineError);
            }
            return exit;
        });
        return cmd;
    }
}
