using System.Text.Json;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>state ID: prints the runtime-spec State as JSON.</summary>
public static class StateCommand
{
    public static int Run(CommandLine line)
    {
        var state = ContainerOps.State(new StateStore(line.Options.Root), line.Id("state"));
        Console.Out.WriteLine(JsonSerializer.Serialize(state, RuntimeJsonContext.Default.State));
        return 0;
    }
}
