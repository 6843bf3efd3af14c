using Skiff.Runtime.Config;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>create [--bundle DIR] [--console-socket SOCK] [--pid-file F] [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID</summary>
public static class CreateCommand
{
    public static int Run(RuntimeOptions global, CreateOptions o, RuntimeLog log)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        using var init = ContainerCreator.Create(new StateStore(global.Root), WithSealedReexec(o), log, global.SystemdCgroup, global.Rootless);
        return 0;
    }

    /// <summary>Joining an existing pid namespace (a pod's): create then runs from a sealed copy of itself, like exec.</summary>
    public static CreateOptions WithSealedReexec(CreateOptions o) =>
        o with { ReexecSealedWhenJoiningPid = ["skiff-runtime", .. Environment.GetCommandLineArgs().Skip(1)] };
}
