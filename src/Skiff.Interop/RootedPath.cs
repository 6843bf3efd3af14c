namespace Skiff.Interop;

/// <summary>
/// Resolves a path inside a root directory the way the kernel would after chroot to it: symbolic
/// links (absolute ones too) and ".." never leave the root.
/// </summary>
public static class RootedPath
{
    private const int MaxLinks = 40;

    /// <summary>The host path of <paramref name="path"/> as seen from inside <paramref name="root"/>; missing trailing components are kept as they are.</summary>
    public static string Resolve(string root, string path)
    {
        root = root.TrimEnd('/');
        var resolved = new List<string>();
        var pending = new LinkedList<string>(Split(path));
        int links = 0;
        while (pending.First is { } node)
        {
            string part = node.Value;
            pending.RemoveFirst();
            if (part is "." or "") continue;
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            string candidate = Join(root, resolved) + "/" + part;
            string? target = LinkTarget(candidate);
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }
            if (++links > MaxLinks) throw new IOException($"{path}: too many levels of symbolic links");
            if (target.StartsWith('/')) resolved.Clear();
            foreach (string p in Split(target).Reverse()) pending.AddFirst(p);
        }
        string result = Join(root, resolved);
        return result.Length == 0 ? "/" : result;
    }

    private static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static string Join(string root, List<string> parts) => parts.Count == 0 ? root : root + "/" + string.Join('/', parts);

    /// <summary>A container path made absolute and lexically clean ("a/./b/../c" is "/a/c"), for comparing destinations.</summary>
    public static string Clean(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = new List<string>();
        foreach (string p in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }
}
