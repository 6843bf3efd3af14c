using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>resume ID: thaws a paused container.</summary>
public static class ResumeCommand
{
    public static int Run(RuntimeOptions global, ResumeOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        ContainerCgroups.Resume(new StateStore(global.Root), o.Id);
        return 0;
    }
}
