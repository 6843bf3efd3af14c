using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>pause ID: freezes every process of the container (cgroup freezer, v1 or v2).</summary>
public static class PauseCommand
{
    public static int Run(RuntimeOptions global, PauseOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        ContainerCgroups.Pause(new StateStore(global.Root), o.Id);
        return 0;
    }
}
