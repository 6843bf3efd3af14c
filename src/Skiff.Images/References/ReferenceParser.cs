using System.Text.RegularExpressions;
using Skiff.Oci;

namespace Skiff.Images.References;

/// <summary>The docker reference grammar (github.com/distribution/reference regexp.go), without normalisation.</summary>
internal static partial class ReferenceParser
{
    public const int MaxNameLength = 255;

    internal readonly record struct Parts(string? Domain, string Path, string? Tag, Digest? Digest);

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathComponent();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();

    public static Parts Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Length == 0)
            throw new InvalidReferenceException(input, "repository name must have at least one component");

        string rest = input;
        Digest? digest = null;
        int at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            string d = rest[(at + 1)..];
            if (!Oci.Digest.TryParse(d, out var parsed))
                throw new InvalidReferenceException(input, $"invalid digest \"{d}\" (expected sha256:<64 hex> or sha512:<128 hex>)");
            digest = parsed;
            rest = rest[..at];
        }

        string? tag = null;
        int colon = rest.LastIndexOf(':');
        if (colon >= 0 && colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            ValidateTag(tag, input);
        }

        var (domain, path) = SplitDomain(rest);
        if (domain is not null) ValidateDomain(domain, input);
        ValidatePath(path, input);
        if (rest.Length > MaxNameLength)
            throw new InvalidReferenceException(input, $"repository name must not be more than {MaxNameLength} characters");
        return new Parts(domain, path, tag, digest);
    }

    /// <summary>Splits "host[:port]/path" when the first component looks like a registry
    /// (contains '.' or ':' or is "localhost"); otherwise there is no domain.</summary>
    public static (string? Domain, string Path) SplitDomain(string name)
    {
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) return (null, name);
        string first = name[..slash];
        if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            return (first, name[(slash + 1)..]);
        return (null, name);
    }

    public static void ValidateDomain(string domain, string input)
    {
        if (!DomainPattern().IsMatch(domain))
            throw new InvalidReferenceException(input, $"invalid registry host \"{domain}\"");
    }

    public static void ValidatePath(string path, string input)
    {
        if (path.Length == 0)
            throw new InvalidReferenceException(input, "repository name must have at least one component");
        foreach (string component in path.Split('/'))
        {
            if (PathComponent().IsMatch(component)) continue;
            if (component.Any(char.IsAsciiLetterUpper) && PathComponent().IsMatch(component.ToLowerInvariant()))
                throw new InvalidReferenceException(input, "repository name must be lowercase");
            throw new InvalidReferenceException(input, component.Length == 0
                ? "empty path component in repository name"
                : $"invalid repository path component \"{component}\" (allowed: lowercase letters, digits and single separators . _ __ -)");
        }
    }

    public static void ValidateTag(string tag, string input)
    {
        if (!TagPattern().IsMatch(tag))
            throw new InvalidReferenceException(input, $"invalid tag \"{tag}\" (allowed: [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})");
    }
}
