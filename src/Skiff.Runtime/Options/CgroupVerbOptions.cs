using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Options;

// The verbs of the cgroups part (pause, resume, ps, events, update): parsed here, carried out by the cgroup manager.

/// <summary>pause ID</summary>
public sealed record PauseOptions(string Id);

/// <summary>resume ID</summary>
public sealed record ResumeOptions(string Id);

/// <summary>ps [--format table|json] ID [PS-ARGS...]</summary>
public sealed record PsOptions
{
    public required string Id { get; init; }
    /// <summary>table (ps(1)'s output for the container's processes) or json (their pids).</summary>
    public string Format { get; init; } = "table";
    /// <summary>Arguments for ps(1) after the id (default -ef).</summary>
    public IReadOnlyList<string> PsArgs { get; init; } = [];
}

/// <summary>events [--interval D] [--stats] ID</summary>
public sealed record EventsOptions
{
    public required string Id { get; init; }
    /// <summary>Stats collection interval (default 5 s).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Print the stats once and exit.</summary>
    public bool Stats { get; init; }
}

/// <summary>
/// update [--resources FILE|-] [resource flags] ID. With --resources the file (or stdin) gives the resources and
/// the other flags are ignored, as by runc; otherwise the flags given fill <see cref="Resources"/> (unset stays null).
/// </summary>
public sealed record UpdateOptions
{
    public required string Id { get; init; }
    /// <summary>--resources/-r as given ("-" is stdin); already read into <see cref="Resources"/>.</summary>
    public string? ResourcesFile { get; init; }
    public LinuxResources Resources { get; init; } = new();
    /// <summary>--l3-cache-schema (Intel RDT).</summary>
    public string? L3CacheSchema { get; init; }
    /// <summary>--mem-bw-schema (Intel RDT).</summary>
    public string? MemBwSchema { get; init; }
}
