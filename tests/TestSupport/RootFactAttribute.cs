namespace Skiff.TestSupport;

/// <summary>
/// A test that needs real root (namespaces, mounts, mknod, chown, a test user; CI runs as root). Elsewhere it
/// is reported as skipped, never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot) Skip = "needs root (namespaces, mounts, device nodes, a test user)";
    }

    /// <summary>Effective uid 0, read from /proc so that this file needs no project reference.</summary>
    public static bool IsRoot => File.ReadAllLines("/proc/self/status")
        .First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
        .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2] == "0";
}
