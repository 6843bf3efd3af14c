using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;
using Skiff.Engine.Processes;

namespace Skiff.Cli.Commands;

/// <summary>`skiff kill [-s SIGNAL] [-a] CONTAINER...`: prints each name given.</summary>
public static class KillCommand
{
    public static Command Create(GlobalOptions global)
    {
        var signal = new Option<string>("--signal", "-s") { Description = "Signal to send to the container", DefaultValueFactory = _ => "KILL" };
        var all = new Option<bool>("--all", "-a") { Description = "Signal all running containers" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("kill", "Kill one or more running containers with a specific signal") { signal, all, names };
        cmd.SetAction(p =>
        {
            string text = p.GetValue(signal) ?? "KILL";
            int number = SignalParser.Parse(text);
            var engine = global.Engine(p);
            var targets = (p.GetValue(names) ?? []).ToList();
            if (p.GetValue(all))
                targets.AddRange(engine.List().Where(c => c.State == Engine.Containers.ContainerStates.Running).Select(c => c.Id));
            else if (targets.Count == 0) throw new EngineException("kill requires at least one argument, or --all");
            int exit = 0;
            foreach (string t in targets.Distinct())
            {
                try
                {
                    engine.Kill(t, number);
                    Console.WriteLine(t);
                }
                catch (EngineException e) { exit = SkiffCli.Fail(e.Message, e.ExitCode); }
            }
            return exit;
        });
        return cmd;
    }
}
