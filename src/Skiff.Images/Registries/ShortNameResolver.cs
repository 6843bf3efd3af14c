using Skiff.Images.References;

namespace Skiff.Images.Registries;

/// <summary>
/// Turns what the user typed into the fully-qualified references to try, in order (podman's
/// short-name rules, always permissive): a name with a registry is itself; a short name that has an
/// alias is the alias; otherwise one candidate per unqualified-search registry. Looking in local
/// storage for "localhost/NAME" first is the engine's job.
/// </summary>
public sealed class ShortNameResolver
{
    private readonly RegistriesConfig _config;

    public ShortNameResolver(RegistriesConfig config) => _config = config;

    public IReadOnlyList<ImageReference> Candidates(string input)
    {
        var parts = ReferenceParser.Parse(input);
        if (parts.Domain is not null)
            return [ImageReference.Parse(input)];

        if (_config.Aliases.TryGetValue(parts.Path, out string? alias))
        {
            var target = ImageReference.Parse(alias);
            return [ImageReference.Create(target.Registry, target.Repository, parts.Tag ?? (parts.Digest is null ? target.Tag : null), parts.Digest)];
        }

        if (_config.UnqualifiedSearchRegistries.Count == 0)
            throw new ShortNameException(
                $"short-name \"{input}\" did not resolve to an alias and no unqualified-search registries are defined in \"{_config.SourcePath}\"");

        var candidates = new List<ImageReference>(_config.UnqualifiedSearchRegistries.Count);
        foreach (string registry in _config.UnqualifiedSearchRegistries)
            candidates.Add(ImageReference.Create(registry, parts.Path, parts.Tag, parts.Digest));
        return candidates;
    }
}

/// <summary>A short name that cannot be resolved to any registry.</summary>
public sealed class ShortNameException : Exception
{
    public ShortNameException() { }
    public ShortNameException(string message) : base(message) { }
    public ShortNameException(string message, Exception inner) : base(message, inner) { }
}
