using Skiff.Runtime.Config;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>kill [--all] ID [SIGNAL]: SIGTERM by default; --all is accepted (no cgroup yet: the init only).</summary>
public static class KillCommand
{
    public static int Run(CommandLine line)
    {
        string id = line.Id("kill");
        int signal = line.Operands.Count > 1 ? Signals.Parse(line.Operands[1]) : 15;
        ContainerOps.Kill(new StateStore(line.Options.Root), id, signal);
        return 0;
    }
}
