using Skiff.Interop;

namespace Skiff.Engine.Configuration;

/// <summary>
/// Where Skiff keeps things, rootful or rootless (DESIGN.md, "Conventions"):
/// storage in /var/lib/skiff or ~/.local/share/skiff, run state in /run/skiff or $XDG_RUNTIME_DIR/skiff.
/// Inside the rootless user namespace we are uid 0 but still the calling user: <see cref="Rootless"/> says so.
/// </summary>
public sealed class SkiffPaths
{
    /// <summary>Set by the rootless re-exec to the caller's host uid, so the child knows it is not real root.</summary>
    public const string RootlessUidVariable = "_SKIFF_ROOTLESS_UID";

    public required bool Rootless { get; init; }
    public required uint HostUid { get; init; }
    public required string GraphRoot { get; init; }
    public required string RunRoot { get; init; }

    public string RuntimeRoot => Path.Combine(RunRoot, "runtime");
    public string BundlesRoot => Path.Combine(RunRoot, "containers");

    public static SkiffPaths Detect(string? graphRootOverride = null, string? runRootOverride = null)
    {
        string? rootlessUid = Environment.GetEnvironmentVariable(RootlessUidVariable);
        uint euid = Libc.GetEUid();
        bool rootless = euid != 0 || rootlessUid is not null;
        uint hostUid = rootlessUid is not null && uint.TryParse(rootlessUid, out var u) ? u : euid;
        string graph, run;
        if (!rootless)
        {
            graph = "/var/lib/skiff";
            run = "/run/skiff";
        }
        else
        {
            string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : $"/tmp/skiff-home-{hostUid}";
            string dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } d ? d : Path.Combine(home, ".local", "share");
            graph = Path.Combine(dataHome, "skiff");
            run = Path.Combine(RuntimeDir(hostUid), "skiff");
        }
        return new SkiffPaths
        {
            Rootless = rootless,
            HostUid = hostUid,
            GraphRoot = graphRootOverride ?? graph,
            RunRoot = runRootOverride ?? run,
        };
    }

    /// <summary>$XDG_RUNTIME_DIR when it is set and ours, else a private directory under /tmp (as podman does).</summary>
    public static string RuntimeDir(uint uid)
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(xdg) && Directory.Exists(xdg)) return xdg;
        string fallback = $"/tmp/skiff-run-{uid}";
        try { PrivateDirectory.Ensure(fallback); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new EngineException($"the run directory: {ErrorText.Of(e)}");
        }
        return fallback;
    }
}
