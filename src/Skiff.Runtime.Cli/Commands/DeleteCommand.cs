using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>delete [--force] ID</summary>
public static class DeleteCommand
{
    public static int Run(CommandLine line)
    {
        ContainerOps.Delete(new StateStore(line.Options.Root), line.Id("delete"), line.Switch("force", "f"));
        return 0;
    }
}
