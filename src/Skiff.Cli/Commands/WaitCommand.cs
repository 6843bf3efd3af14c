using System.CommandLine;
using System.Globalization;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff wait [--condition STATE] [-i INTERVAL] CONTAINER...`: prints each container's exit code.</summary>
public static class WaitCommand
{
    public static Command Create(GlobalOptions global)
    {
        var condition = new Option<string[]>("--condition") { Description = "Condition to wait on: stopped (default), exited, running, created" };
        var interval = new Option<string>("--interval", "-i") { Description = "Time interval to wait before polling for completion", DefaultValueFactory = _ => "250ms" };
        var ignore = new Option<bool>("--ignore") { Description = "Ignore a container that does not exist" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("wait", "Block on one or more containers") { condition, interval, ignore, names };
        cmd.SetAction(p =>
        {
            string intervalText = p.GetValue(interval) ?? "250ms";
            var every = KubeLog.Duration(intervalText)
                ?? (int.TryParse(intervalText, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null)
                ?? throw new EngineException($"invalid interval \"{intervalText}\": give a duration such as 250ms");
            var wanted = (p.GetValue(condition) ?? []).ToHashSet(StringComparer.Ordinal);
            foreach (string c in wanted)
                if (c is not ("stopped" or "exited" or "running" or "created" or "configured"))
                    throw new EngineException($"invalid condition \"{c}\": use configured, created, running, stopped or exited");
            Func<ContainerRecord, bool> until = wanted.Count == 0
                ? r => r.State is ContainerStates.Exited or ContainerStates.Stopped
                : r => wanted.Contains(r.State) || (wanted.Contains("stopped") && r.State == ContainerStates.Exited);
            var engine = global.Engine(p);
            int exit = 0;
            foreach (string t in p.GetValue(names) ?? [])
            {
                try
                {
                    var r = engine.Wait(t, every, until);
                    Console.WriteLine(r?.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-1");
                }
                catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject && p.GetValue(ignore)) { Console.WriteLine("-1"); }
                catch (EngineException e) { exit = SkiffCli.Fail(e.Message, 125); }
            }
            return exit;
        });
        return cmd;
    }
}
