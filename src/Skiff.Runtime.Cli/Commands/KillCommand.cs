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
        var store = new StateStore(global.Root);
        // --all: every process of the container's cgroup (frozen while signalled, so none forks away), not only the init.
        if (o.All) ContainerCgroups.KillAll(store, o.Id, o.Signal);
        else ContainerOps.Kill(store, o.Id, o.Signal);
        return 0;
    }
}
