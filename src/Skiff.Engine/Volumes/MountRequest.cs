namespace Skiff.Engine.Volumes;

/// <summary>What a mount of -v, --mount or --tmpfs asks for.</summary>
public enum MountKind
{
    /// <summary>A host path bound into the container.</summary>
    Bind,
    /// <summary>A named volume (<see cref="MountRequest.Source"/>), or an anonymous one (no source).</summary>
    Volume,
    /// <summary>A fresh tmpfs.</summary>
    Tmpfs,
}

/// <summary>
/// One mount the user asked for, parsed but not yet resolved (the volume may not exist, the bind source is not
/// checked): <see cref="MountSpecs"/> makes these from the flags, the create stage turns them into OCI mounts.
/// </summary>
public sealed record MountRequest
{
    public required MountKind Kind { get; init; }
    /// <summary>The host path (bind), the volume name (null: anonymous), or null (tmpfs).</summary>
    public string? Source { get; init; }
    /// <summary>The absolute path in the container, as given.</summary>
    public required string Destination { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>Options for the kernel, passed on (propagation, nosuid/exec..., size= and mode= of a tmpfs).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
    /// <summary>U: the source is chowned to the container's user.</summary>
    public bool Chown { get; init; }
    /// <summary>O: an overlay over the source, its changes discarded with the container.</summary>
    public bool Overlay { get; init; }
    /// <summary>copy / nocopy: whether a new volume gets the image's content at the destination (null: the default, copy).</summary>
    public bool? Copy { get; init; }
    /// <summary>rbind (the default) or bind (bind-nonrecursive).</summary>
    public bool Recursive { get; init; } = true;

    /// <summary>The destination made absolute and lexically clean (for duplicate checks and ordering).</summary>
    public string CleanDestination => MountSpecs.Clean(Destination);
}
