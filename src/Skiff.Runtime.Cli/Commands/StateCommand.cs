using System.Text.Json;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>state ID: prints the runtime-spec State (with the created and oomKilled extensions) as JSON.</summary>
public static class StateCommand
{
    public static int Run(RuntimeOptions global, StateOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        var state = ContainerOps.State(new StateStore(global.Root), o.Id);
        Console.Out.WriteLine(JsonSerializer.Serialize(state, RuntimeJsonContext.Default.State));
        return 0;
    }
}
