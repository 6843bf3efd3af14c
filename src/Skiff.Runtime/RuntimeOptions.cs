using Skiff.Interop;

namespace Skiff.Runtime;

/// <summary>The global flags of the runtime command line (runc's names).</summary>
public sealed class RuntimeOptions
{
    /// <summary>The state directory: one subdirectory per container.</summary>
    public string Root { get; set; } = DefaultRoot();
    public string? LogFile { get; set; }
    /// <summary>text or json.</summary>
    public string LogFormat { get; set; } = "text";
    public bool SystemdCgroup { get; set; }

    public static string DefaultRoot()
    {
        if (Libc.GetEUid() == 0) return "/run/skiff-runtime";
        string? xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "skiff-runtime");
        string fallback = $"/tmp/skiff-runtime-{Libc.GetEUid()}";
        try { PrivateDirectory.Ensure(fallback); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { throw new RuntimeException($"the state directory: {e.Message}"); }
        return fallback;
    }
}
