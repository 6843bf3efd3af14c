namespace Skiff.Storage.Tar;

/// <summary>Turns a tar entry name into path components inside the layer, or refuses it.</summary>
public static class EntryName
{
    /// <summary>Strips leading "./" and "/", drops "." and empty components, resolves ".." lexically and
    /// refuses a name whose ".." climbs above the layer root, or that holds a NUL. The empty array is the root.</summary>
    public static string[] Normalize(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
            throw new LayerUnpackException($"tar entry \"{name.Replace("\0", "\\0", StringComparison.Ordinal)}\": name contains NUL");
        var parts = new List<string>();
        foreach (string part in name.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    throw new LayerUnpackException($"tar entry \"{name}\": path escapes the layer");
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return [.. parts];
    }
}
