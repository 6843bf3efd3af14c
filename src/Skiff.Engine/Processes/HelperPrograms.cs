namespace Skiff.Engine.Processes;

/// <summary>Finds helper programs (newuidmap, runc, ...) on PATH and in the usual system directories.</summary>
public static class HelperPrograms
{
    /// <summary>One of Skiff's own programs (skiff-runtime, skiff-monitor): beside the skiff binary first, then as <see cref="Find"/> does.</summary>
    public static string? FindOwn(string name)
    {
        if (AppContext.BaseDirectory is { } dir && File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return Find(name);
    }

    public static string? Find(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal)) return File.Exists(name) ? Path.GetFullPath(name) : null;
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]);
        foreach (string dir in dirs)
        {
            string p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
