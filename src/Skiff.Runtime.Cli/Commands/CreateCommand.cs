using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>create --bundle DIR [--pid-file F] ID</summary>
public static class CreateCommand
{
    public static int Run(CommandLine line)
    {
        if (line.Flag("console-socket") is not null) throw new RuntimeException("--console-socket: terminals are not supported yet");
        string id = line.Id("create");
        using var init = ContainerCreator.Create(new StateStore(line.Options.Root), id, line.Flag("bundle", "b") ?? ".", line.Flag("pid-file"), line.Options.SystemdCgroup);
        return 0;
    }
}
