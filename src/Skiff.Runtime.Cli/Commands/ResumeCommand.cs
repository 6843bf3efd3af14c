using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>resume ID: thaws a paused container.</summary>
public static class ResumeCommand
{
    public static int Run(CommandLine line)
    {
        ContainerCgroups.Resume(new StateStore(line.Options.Root), line.Id("resume"));
        return 0;
    }
}
