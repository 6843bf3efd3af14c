using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>pause ID: freezes every process of the container (its freezer cgroup); state then says "paused".</summary>
public static class PauseCommand
{
    public static int Run(CommandLine line)
    {
        ContainerCgroups.Pause(new StateStore(line.Options.Root), line.Id("pause"));
        return 0;
    }
}
