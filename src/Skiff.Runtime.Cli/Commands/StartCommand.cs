using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>start ID</summary>
public static class StartCommand
{
    public static int Run(CommandLine line)
    {
        ContainerOps.Start(new StateStore(line.Options.Root), line.Id("start"));
        return 0;
    }
}
