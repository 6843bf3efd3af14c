using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>run --bundle DIR [--pid-file F] [--detach] ID: create, start, wait; exits with the container's code.</summary>
public static class RunCommand
{
    public static int Run(CommandLine line)
    {
        CreateCommand.SealIfJoiningPidNamespace(line);
        return ContainerRunner.Run(new StateStore(line.Options.Root), line.Id("run"), CreateCommand.Options(line), line.Switch("detach", "d"),
            CreateCommand.Warn);
    }
}
