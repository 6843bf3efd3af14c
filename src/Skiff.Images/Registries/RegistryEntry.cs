namespace Skiff.Images.Registries;

/// <summary>One [[registry]] table of registries.conf (v2).</summary>
public sealed class RegistryEntry
{
    /// <summary>What image names it applies to: "host", "host/path" or "*.domain".</summary>
    public string Prefix { get; init; } = "";

    /// <summary>Where those images are really pulled from (replaces <see cref="Prefix"/>); defaults to the prefix.</summary>
    public string Location { get; init; } = "";

    /// <summary>Allow plain http and unverified TLS for this registry.</summary>
    public bool Insecure { get; init; }

    /// <summary>Pulling from this registry is refused.</summary>
    public bool Blocked { get; init; }

    /// <summary>True when <paramref name="name"/> ("host/repo") falls under this entry's prefix.</summary>
    public bool Matches(string name)
    {
        if (Prefix.StartsWith("*.", StringComparison.Ordinal))
        {
            int slash = name.IndexOf('/', StringComparison.Ordinal);
            string host = slash < 0 ? name : name[..slash];
            return host.EndsWith(Prefix[1..], StringComparison.Ordinal);
        }
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        return name.Length == Prefix.Length || name[Prefix.Length] is '/' or ':' or '@';
    }
}
