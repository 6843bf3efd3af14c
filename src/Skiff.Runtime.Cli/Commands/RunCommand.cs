using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>run --bundle DIR [--pid-file F] [--detach] ID: create, start, wait; exits with the container's code.</summary>
public static class RunCommand
{
    public static int Run(CommandLine line)
    {
        if (line.Flag("console-socket") is not null) throw new RuntimeException("--console-socket: terminals are not supported yet");
        return ContainerRunner.Run(new StateStore(line.Options.Root), line.Id("run"), line.Flag("bundle", "b") ?? ".",
            line.Flag("pid-file"), line.Switch("detach", "d"), line.Options.SystemdCgroup);
    }
}
