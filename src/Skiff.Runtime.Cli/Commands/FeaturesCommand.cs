using System.Text.Json;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>features: what this runtime implements (runtime-spec features.md), from RuntimeFeatures.</summary>
public static class FeaturesCommand
{
    public static int Run()
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(RuntimeFeatures.Build(), RuntimeJsonContext.Default.Features));
        return 0;
    }
}
