using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>start ID</summary>
public static class StartCommand
{
    public static int Run(RuntimeOptions global, StartOptions o, RuntimeLog log)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        ContainerOps.Start(new StateStore(global.Root), o.Id, log);
        return 0;
    }
}
