namespace Skiff.Storage.Images;

/// <summary>podman's rules for finding an image by what the user typed, over a list of records.</summary>
public static class ImageLookup
{
    /// <summary>Shortest id prefix accepted.</summary>
    public const int MinIdPrefix = 3;

    /// <summary>In order: exact name; the name with ":latest" when it has no tag or digest; "localhost/"
    /// plus the name (with ":latest" when untagged); "repo@digest" (also "localhost/repo@digest") by
    /// an image of that repository whose manifest digest it is; the full id (bare or "sha256:"); an id prefix of at
    /// least 3 characters when it is unambiguous. An ambiguous prefix throws <see cref="AmbiguousImageException"/>.</summary>
    public static ImageRecord? Find(IReadOnlyList<ImageRecord> images, string nameOrId)
    {
        if (string.IsNullOrEmpty(nameOrId)) return null;
        foreach (string candidate in NameCandidates(nameOrId))
            foreach (var image in images)
                if (image.Names.Contains(candidate, StringComparer.Ordinal)) return image;

        int at = nameOrId.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            string repo = nameOrId[..at], digest = nameOrId[(at + 1)..];
            foreach (string candidate in new[] { repo, "localhost/" + repo })
                foreach (var image in images)
                    if (image.ManifestDigest == digest && image.Names.Any(n => RepositoryOf(n) == candidate)) return image;
            return null;
        }

        string id = nameOrId.StartsWith("sha256:", StringComparison.Ordinal) ? nameOrId[7..] : nameOrId;
        if (id.Length < MinIdPrefix || !id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')) return null;
        var matches = images.Where(i => i.Id.StartsWith(id, StringComparison.Ordinal)).ToList();
        if (matches.Count == 1) return matches[0];
        var exact = matches.FirstOrDefault(i => i.Id == id);
        if (exact is not null) return exact;
        if (matches.Count > 1) throw new AmbiguousImageException(id, matches.Count);
        return null;
    }

    /// <summary>True when the reference's last path component carries a tag, or it has a digest.</summary>
    public static bool HasTagOrDigest(string name)
    {
        if (name.Contains('@', StringComparison.Ordinal)) return true;
        int slash = name.LastIndexOf('/');
        return name.IndexOf(':', slash + 1) >= 0;
    }

    /// <summary>"host/repo:tag" → "host/repo"; "host/repo@digest" → "host/repo".</summary>
    public static string RepositoryOf(string name)
    {
        int at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) return name[..at];
        int slash = name.LastIndexOf('/');
        int colon = name.IndexOf(':', slash + 1);
        return colon >= 0 ? name[..colon] : name;
    }

    private static IEnumerable<string> NameCandidates(string name)
    {
        bool tagged = HasTagOrDigest(name);
        yield return name;
        if (!tagged) yield return name + ":latest";
        if (!name.StartsWith("localhost/", StringComparison.Ordinal))
        {
            yield return "localhost/" + name;
            if (!tagged) yield return "localhost/" + name + ":latest";
        }
    }
}

/// <summary>An id prefix that matches more than one image.</summary>
public sealed class AmbiguousImageException : Exception
{
    public AmbiguousImageException(string prefix, int count)
        : base($"{prefix}: image id prefix is ambiguous, it matches {count} images") => Prefix = prefix;

    public AmbiguousImageException() { }
    public AmbiguousImageException(string message) : base(message) { }
    public AmbiguousImageException(string message, Exception inner) : base(message, inner) { }

    public string Prefix { get; } = "";
}

/// <summary>No image with that name or id.</summary>
public sealed class ImageNotFoundException : Exception
{
    public ImageNotFoundException() { }
    public ImageNotFoundException(string message) : base(message) { }
    public ImageNotFoundException(string message, Exception inner) : base(message, inner) { }
}
