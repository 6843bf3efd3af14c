using Skiff.Images.References;

namespace Skiff.Images.Registries;

/// <summary>
/// The merged content of registries.conf (v2) and its drop-ins: unqualified-search registries,
/// short-name aliases and per-registry settings. Load with <see cref="RegistriesConfigLoader"/>.
/// </summary>
public sealed class RegistriesConfig
{
    public const string SystemPath = "/etc/containers/registries.conf";

    /// <summary>The main file the configuration came from, named in error messages.</summary>
    public string SourcePath { get; init; } = SystemPath;

    public IReadOnlyList<string> UnqualifiedSearchRegistries { get; init; } = [];

    public IReadOnlyList<RegistryEntry> Registries { get; init; } = [];

    /// <summary>Short name (without tag) to fully-qualified name, from [aliases].</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = new Dictionary<string, string>();

    /// <summary>"enforcing", "permissive" or "disabled"; Skiff always behaves as permissive.</summary>
    public string ShortNameMode { get; init; } = "permissive";

    /// <summary>A configuration with nothing in it (no search registries, no entries).</summary>
    public static RegistriesConfig Empty { get; } = new();

    /// <summary>The entry with the longest prefix matching <paramref name="name"/> ("host/repo"), if any.</summary>
    public RegistryEntry? FindEntry(string name)
    {
        RegistryEntry? best = null;
        foreach (var entry in Registries)
        {
            if (!entry.Matches(name)) continue;
            if (best is null || entry.Prefix.Length > best.Prefix.Length) best = entry;
        }
        return best;
    }

    /// <summary>True when the registry host is marked insecure = true.</summary>
    public bool IsInsecure(string registryHost) => FindEntry(registryHost)?.Insecure ?? false;

    /// <summary>Applies the matching entry's location (prefix rewrite) and refuses blocked registries.</summary>
    public ImageReference Resolve(ImageReference reference)
    {
        var entry = FindEntry(reference.Name);
        if (entry is null) return reference;
        if (entry.Blocked)
            throw new RegistryBlockedException($"registry {reference.Registry} is blocked in \"{SourcePath}\" or a drop-in file");
        if (entry.Location.Length == 0 || entry.Location == entry.Prefix || entry.Prefix.StartsWith("*.", StringComparison.Ordinal))
            return reference;
        string rewritten = entry.Location + reference.Name[entry.Prefix.Length..];
        var parsed = ImageReference.Parse(rewritten);
        return ImageReference.Create(parsed.Registry, parsed.Repository, reference.Tag, reference.Digest);
    }
}

/// <summary>An image whose registry is "blocked = true" in registries.conf.</summary>
public sealed class RegistryBlockedException : Exception
{
    public RegistryBlockedException() { }
    public RegistryBlockedException(string message) : base(message) { }
    public RegistryBlockedException(string message, Exception inner) : base(message, inner) { }
}
