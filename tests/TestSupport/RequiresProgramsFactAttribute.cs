namespace Skiff.TestSupport;

/// <summary>
/// A test that needs programs from Debian packages (`make test` installs them as root). Where one is missing
/// the test is reported as skipped, naming it, never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresProgramsFactAttribute : FactAttribute
{
    public RequiresProgramsFactAttribute(params string[] programs)
    {
        var missing = programs.Where(p => Find(p) is null).ToList();
        if (missing.Count > 0) Skip = $"needs {string.Join(", ", missing)} (installed by `make test` as root)";
    }

    public static string? Find(string program) =>
        new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" }
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
