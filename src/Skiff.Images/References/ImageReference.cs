using Skiff.Oci;

namespace Skiff.Images.References;

/// <summary>
/// A fully-qualified image reference "registry/repository[:tag][@digest]" in the docker reference
/// grammar, normalised as podman does: docker.io for names without a domain, "library/" for
/// single-component docker.io names, tag "latest" when neither tag nor digest is given.
/// </summary>
public sealed record ImageReference
{
    public const string DockerHub = "docker.io";
    public const string DefaultTag = "latest";

    private ImageReference(string registry, string repository, string? tag, Digest? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry host, with its port if any ("docker.io", "127.0.0.1:5000").</summary>
    public string Registry { get; }

    /// <summary>The repository path inside the registry ("library/busybox").</summary>
    public string Repository { get; }

    /// <summary>The tag; null only when the reference is by digest without a tag.</summary>
    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <summary>"registry/repository", without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>What goes after /manifests/ in the registry API: the digest when there is one, else the tag.</summary>
    public string ManifestReference => Digest?.ToString() ?? Tag ?? DefaultTag;

    /// <summary>Parses and normalises <paramref name="input"/>; throws <see cref="InvalidReferenceException"/>.</summary>
    public static ImageReference Parse(string input)
    {
        var parsed = ReferenceParser.Parse(input);
        string registry = parsed.Domain ?? DockerHub;
        return Create(registry, parsed.Path, parsed.Tag, parsed.Digest);
    }

    public static bool TryParse(string input, out ImageReference? reference)
    {
        try
        {
            reference = Parse(input);
            return true;
        }
        catch (InvalidReferenceException)
        {
            reference = null;
            return false;
        }
    }

    /// <summary>True when the first component of <paramref name="input"/> names a registry
    /// (contains '.' or ':' or is "localhost"), i.e. the input is not a short name.</summary>
    public static bool HasDomain(string input) => ReferenceParser.SplitDomain(input).Domain is not null;

    /// <summary>Builds a normalised reference from its parts (validated as by <see cref="Parse"/>).</summary>
    public static ImageReference Create(string registry, string repository, string? tag, Digest? digest)
    {
        ReferenceParser.ValidateDomain(registry, registry);
        ReferenceParser.ValidatePath(repository, repository);
        if (tag is not null) ReferenceParser.ValidateTag(tag, tag);
        if (registry == "index.docker.io") registry = DockerHub;
        if (registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal))
            repository = "library/" + repository;
        if (tag is null && digest is null) tag = DefaultTag;
        if (registry.Length + 1 + repository.Length > ReferenceParser.MaxNameLength)
            throw new InvalidReferenceException($"{registry}/{repository}", $"repository name must not be more than {ReferenceParser.MaxNameLength} characters");
        return new ImageReference(registry, repository, tag, digest);
    }

    public ImageReference WithTag(string tag) => Create(Registry, Repository, tag, null);

    public ImageReference WithDigest(Digest digest) => new(Registry, Repository, Tag, digest);

    /// <summary>The canonical full name: "host/repo:tag", "host/repo@sha256:..." or "host/repo:tag@sha256:...".</summary>
    public override string ToString()
    {
        string s = Name;
        if (Tag is not null) s += ":" + Tag;
        if (Digest is { } d) s += "@" + d;
        return s;
    }
}
