namespace Skiff.EndToEnd.Harness;

/// <summary>A test that needs root (the CI runs as root); elsewhere it is reported as skipped, never as passed.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root" && !IsRoot()) Skip = "needs root (namespaces, overlayfs, a test user)";
    }

    internal static bool IsRoot() => File.ReadAllText("/proc/self/status").Split('\n')
        .First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2] == "0";
}
