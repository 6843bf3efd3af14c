namespace Skiff.Runtime.Options;

/// <summary>list [--format table|json] [--quiet]</summary>
public sealed record ListOptions
{
    /// <summary>table or json.</summary>
    public string Format { get; init; } = "table";
    /// <summary>Only the ids.</summary>
    public bool Quiet { get; init; }
}

/// <summary>spec [--bundle DIR] [--rootless]</summary>
public sealed record SpecOptions
{
    /// <summary>Where config.json is written; null is the current directory.</summary>
    public string? Bundle { get; init; }
    /// <summary>The rootless variant: a user namespace mapping the caller's ids, no network namespace, no device rules.</summary>
    public bool Rootless { get; init; }
}
