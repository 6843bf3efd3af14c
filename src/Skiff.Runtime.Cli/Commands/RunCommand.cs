using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>run [create's flags] [--detach] [--keep] [--no-subreaper] ID: create, start, wait; exits with the container's code.</summary>
public static class RunCommand
{
    public static int Run(RuntimeOptions global, RunOptions o, RuntimeLog log)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        // o.NoSubreaper needs nothing: the init is run's own child, so run reaps it without being a subreaper.
        return ContainerRunner.Run(new StateStore(global.Root), o with { Create = CreateCommand.WithSealedReexec(o.Create) }, log, global.SystemdCgroup, global.Rootless);
    }
}
