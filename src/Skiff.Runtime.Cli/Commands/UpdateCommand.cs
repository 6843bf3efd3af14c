using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>update [--resources FILE|-] [resource flags] ID: new limits for a live container.</summary>
public static class UpdateCommand
{
    public static int Run(RuntimeOptions global, UpdateOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        if (o.L3CacheSchema is not null || o.MemBwSchema is not null) throw new RuntimeException("--l3-cache-schema, --mem-bw-schema: Intel RDT is not supported");
        ContainerCgroups.Update(new StateStore(global.Root), o.Id, o.Resources);
        return 0;
    }
}
