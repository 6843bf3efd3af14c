using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>exec [flags] ID COMMAND [ARG...] | exec [flags] --process FILE ID</summary>
public static class ExecCommand
{
    public static int Run(RuntimeOptions global, ExecOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        // exec's clone is visible in the container's pid namespace before it execs: it must not be the host's binary.
        Skiff.Interop.Launch.SealedExecutable.ReexecSealed(["skiff-runtime", .. Environment.GetCommandLineArgs().Skip(1)], new StateStore(global.Root).EmptyDirectory);
        return ContainerExec.Exec(new StateStore(global.Root), o);
    }
}
