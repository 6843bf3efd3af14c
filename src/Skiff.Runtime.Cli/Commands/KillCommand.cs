using Skiff.Runtime.Config;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>kill [--all|-a] ID [SIGNAL]: SIGTERM by default; --all signals every process in the container's cgroup.</summary>
public static class KillCommand
{
    public static int Run(CommandLine line)
    {
        string id = line.Id("kill");
        int signal = line.Operands.Count > 1 ? Signals.Parse(line.Operands[1]) : 15;
        var store = new StateStore(line.Options.Root);
        if (line.Switch("all", "a")) ContainerCgroups.KillAll(store, id, signal); // [cgroups]
        else ContainerOps.Kill(store, id, signal);
        return 0;
    }
}
