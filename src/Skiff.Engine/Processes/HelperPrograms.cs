namespace Skiff.Engine.Processes;

/// <summary>Finds helper programs (newuidmap, runc, ...) on PATH and in the usual system directories.</summary>
public static class HelperPrograms
{
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
