namespace Skiff.Runtime.Cgroups;

/// <summary>A systemd scope (or slice) that holds the container: "slice:prefix:name" of linux.cgroupsPath.</summary>
public sealed record SystemdUnitName(string Slice, string Prefix, string Name)
{
    /// <summary>runc's getUnitName: a scope "prefix-name.scope" unless the name is itself a slice.</summary>
    public string Unit => Name.EndsWith(".slice", StringComparison.Ordinal) ? Name
        : Prefix.Length == 0 ? Name + ".scope" : $"{Prefix}-{Name}.scope";
}

/// <summary>
/// linux.cgroupsPath as runc reads it. cgroupfs: an absolute path is taken under each hierarchy's root;
/// a relative one under the runtime's own cgroup (its parent on cgroup v2, which holds no process);
/// an empty one is the container id, relative. systemd (--systemd-cgroup): "slice:prefix:name", empty
/// meaning system.slice (user.slice rootless), prefix "skiff-runtime", name the container id.
/// </summary>
public static class CgroupPaths
{
    public const string DefaultScopePrefix = "skiff-runtime";

    /// <summary>
    /// runc's CleanPath: Go's filepath.Clean, and a relative path is cleaned as if it were rooted, so
    /// that ".." can never climb above where it is joined.
    /// </summary>
    public static string Clean(string path)
    {
        if (path.Length == 0) return "";
        bool absolute = path[0] == '/';
        var parts = new List<string>();
        foreach (string p in path.Split('/'))
        {
            if (p.Length == 0 || p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        string joined = string.Join('/', parts);
        return absolute ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>The cgroupfs path of a container: absolute, or relative to the runtime's own cgroup.</summary>
    public static string CgroupfsPath(string? cgroupsPath, string id)
    {
        if (string.IsNullOrEmpty(cgroupsPath)) return Clean(id);
        string clean = Clean(cgroupsPath);
        return clean == "." ? Clean(id) : clean;
    }

    /// <summary>Parses "slice:prefix:name" (--systemd-cgroup); an empty path gives the default unit of <paramref name="id"/>.</summary>
    public static SystemdUnitName SystemdUnit(string? cgroupsPath, string id, bool rootless)
    {
        if (string.IsNullOrEmpty(cgroupsPath))
            return new SystemdUnitName(rootless ? "user.slice" : "system.slice", DefaultScopePrefix, id);
        string[] parts = cgroupsPath.Split(':');
        if (parts.Length != 3)
            throw new RuntimeException($"expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"{cgroupsPath}\" instead");
        string slice = parts[0].Length == 0 ? (rootless ? "user.slice" : "system.slice") : parts[0];
        ExpandSlice(slice); // validates
        if (parts[2].Length == 0 || parts[2].Contains('/', StringComparison.Ordinal) || parts[1].Contains('/', StringComparison.Ordinal))
            throw new RuntimeException($"invalid systemd unit name in cgroupsPath \"{cgroupsPath}\"");
        return new SystemdUnitName(slice, parts[1], parts[2]);
    }

    /// <summary>systemd's slice path: "a-b-c.slice" is /a.slice/a-b.slice/a-b-c.slice; "-.slice" is the root.</summary>
    public static string ExpandSlice(string slice)
    {
        const string suffix = ".slice";
        if (slice.Length < suffix.Length || !slice.EndsWith(suffix, StringComparison.Ordinal) || slice.Contains('/', StringComparison.Ordinal))
            throw new RuntimeException($"invalid slice name: {slice}");
        string name = slice[..^suffix.Length];
        if (name == "-") return "/";
        string path = "", prefix = "";
        foreach (string component in name.Split('-'))
        {
            if (component.Length == 0) throw new RuntimeException($"invalid slice name: {slice}");
            path += "/" + prefix + component + suffix;
            prefix += component + "-";
        }
        return path;
    }
}
