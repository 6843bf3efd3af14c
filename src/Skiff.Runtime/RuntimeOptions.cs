using Skiff.Interop;

namespace Skiff.Runtime;

/// <summary>The global flags of the runtime command line (runc's names).</summary>
public sealed class RuntimeOptions
{
    /// <summary>The state directory: one subdirectory per container.</summary>
    public string Root { get; set; } = DefaultRoot();
    /// <summary>--log: where log lines go (runc: also its errors); null writes them to stderr.</summary>
    public string? LogFile { get; set; }
    /// <summary>text or json.</summary>
    public string LogFormat { get; set; } = "text";
    /// <summary>--debug: debug lines are written too.</summary>
    public bool Debug { get; set; }
    /// <summary>--systemd-cgroup: cgroupsPath is "slice:prefix:name" and the systemd manager places the container.</summary>
    public bool SystemdCgroup { get; set; }
    /// <summary>--rootless true|false|auto (runc: ignore cgroup permission errors); null is auto (decide from the euid and namespace).</summary>
    public bool? Rootless { get; set; }
    /// <summary>--criu: accepted for runc compatibility; checkpoint and restore are not supported.</summary>
    public string? Criu { get; set; }

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
