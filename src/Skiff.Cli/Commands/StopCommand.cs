using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff stop [-t N] [-a] [--ignore] CONTAINER...` and `skiff restart` (stop, then start): prints each name given.</summary>
public static class StopCommand
{
    public static Command Create(GlobalOptions global) => Build(global, "stop", "Stop one or more containers");

    public static Command Restart(GlobalOptions global) => Build(global, "restart", "Restart one or more containers");

    private static Command Build(GlobalOptions global, string verb, string description)
    {
        var time = new Option<int?>("--time", "-t") { Description = "Seconds to wait for the stop signal before killing the container" };
        var all = new Option<bool>("--all", "-a") { Description = $"{(verb == "stop" ? "Stop" : "Restart")} all containers" };
        var ignore = new Option<bool>("--ignore", "-i") { Description = "Ignore errors when a container does not exist" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command(verb, description) { time, all, names };
        if (verb == "stop") cmd.Options.Add(ignore);
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p);
            var targets = (p.GetValue(names) ?? []).ToList();
            if (p.GetValue(all))
                targets.AddRange(engine.List().Where(c => verb == "restart" || c.State == Engine.Containers.ContainerStates.Running).Select(c => c.Id));
            else if (targets.Count == 0) throw new EngineException($"{verb} requires at least one argument, or --all");
            int exit = 0;
            foreach (string t in targets.Distinct())
            {
                try
                {
                    if (verb == "restart") engine.Restart(t, p.GetValue(time));
                    else engine.Stop(t, p.GetValue(time));
                    Console.WriteLine(t);
                }
                catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject && p.GetValue(ignore)) { }
                catch (EngineException e) { exit = SkiffCli.Fail(e.Message, e.ExitCode); }
            }
            return exit;
        });
        return cmd;
    }
}
