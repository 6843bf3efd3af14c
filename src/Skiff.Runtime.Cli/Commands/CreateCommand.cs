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
        SealIfJoiningPidNamespace(o);
        using var init = ContainerCreator.Create(new StateStore(global.Root), o, log, global.SystemdCgroup);
        return 0;
    }

    /// <summary>
    /// Joining an existing pid namespace (a pod's) makes create's clone visible there for a moment before it
    /// executes the init: like exec, create then runs from a sealed copy of itself.
    /// </summary>
    public static void SealIfJoiningPidNamespace(CreateOptions o)
    {
        var spec = BundleConfig.Load(Path.GetFullPath(o.Bundle));
        if (BundleConfig.JoinsNamespace(spec, "pid"))
            Skiff.Interop.Launch.SealedExecutable.ReexecSealed(["skiff-runtime", .. Environment.GetCommandLineArgs().Skip(1)]);
    }
}
