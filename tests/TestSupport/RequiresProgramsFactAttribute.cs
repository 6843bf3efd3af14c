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

    /// <summary>The test's programs are x86_64 code (the attack fixtures): skipped on other architectures.</summary>
    public bool X64Only { get; set; }

    /// <summary>The test needs real root too (setcap, a store of root's): skipped elsewhere.</summary>
    public bool Root { get; set; }

    public override string? Skip
    {
        get => base.Skip ?? (Root && !RootFactAttribute.IsRoot ? "needs root" : null) ?? (X64Only && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64
            ? "x86_64 only" : null);
        set => base.Skip = value;
    }

    public static string? Find(string program) =>
        new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" }
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
