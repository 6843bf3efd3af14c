using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>run [create's flags] [--detach] [--keep] [--no-subreaper] ID: create, start, wait; exits with the container's code.</summary>
public static class RunCommand
{
    public static int Run(RuntimeOptions global, RunOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        CreateCommand.CheckPending(o.Create);
        // TODO(lead): ContainerRunner.Run takes o.Keep (leave the stopped container's state for `delete`); refused until
        // then, since the caller would look for a container that is gone.
        if (o.Keep) throw new RuntimeException("run --keep: keeping the container after it exits is not supported yet");
        // o.NoSubreaper needs nothing: skiff-runtime run never makes itself a subreaper.
        return ContainerRunner.Run(new StateStore(global.Root), o.Create.Id, o.Create.Bundle, o.Create.PidFile, o.Detach);
    }
}
