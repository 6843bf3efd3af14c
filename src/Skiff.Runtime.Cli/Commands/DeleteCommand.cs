using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>delete [--force] ID</summary>
public static class DeleteCommand
{
    public static int Run(RuntimeOptions global, DeleteOptions o, RuntimeLog log)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        ContainerOps.Delete(new StateStore(global.Root), o.Id, o.Force, log);
        return 0;
    }
}
