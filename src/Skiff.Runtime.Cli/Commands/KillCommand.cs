using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>kill [--all] ID [SIGNAL]: SIGTERM by default; the signal by name (KILL, SIGKILL, kill, RTMIN+2) or number.</summary>
public static class KillCommand
{
    public static int Run(RuntimeOptions global, KillOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        // TODO(lead, cgroups): ContainerOps.Kill takes o.All (signal every process of the container's cgroup). Accepted
        // meanwhile, and only the init is signalled (in a container with its own pid namespace the kernel kills every
        // other process once the init dies; a container sharing the host's pid namespace keeps its other processes).
        ContainerOps.Kill(new StateStore(global.Root), o.Id, o.Signal);
        return 0;
    }
}
