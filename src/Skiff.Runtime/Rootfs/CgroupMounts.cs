using System.Text;

namespace Skiff.Runtime.Rootfs;

public enum CgroupMode { V1, Hybrid, V2 }

/// <summary>One hierarchy to show at /sys/fs/cgroup/<see cref="Name"/>: fresh (<see cref="Controllers"/> as mount data) or bound from <see cref="HostSource"/>.</summary>
public sealed record CgroupHierarchy(string Name, string Controllers, string? HostSource);

/// <summary>What a "cgroup"/"cgroup2" mount of config.json becomes, read from the init's /proc/self/cgroup and mountinfo.</summary>
public sealed record CgroupPlan(CgroupMode Mode, IReadOnlyList<CgroupHierarchy> Hierarchies, CgroupHierarchy? Unified)
{
    /// <summary>
    /// Plans the cgroup mount. v2: one cgroup2 filesystem (the fallback bind source is the init's own cgroup).
    /// v1 and hybrid: one entry per v1 hierarchy the init belongs to, as /proc/self/cgroup lists them, with
    /// the host directory of the init's own cgroup in it, and on a hybrid host the v2 tree as "unified".
    /// </summary>
    public static CgroupPlan Read(string procSelfCgroup, string mountinfo)
    {
        var mounts = MountInfo.Parse(mountinfo).Where(m => m.FsType is "cgroup" or "cgroup2").ToList();
        var v2 = mounts.FirstOrDefault(m => m.FsType == "cgroup2");
        var own = procSelfCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 3)).Where(p => p.Length == 3).ToList();
        string? unifiedPath = own.FirstOrDefault(p => p[0] == "0" && p[1].Length == 0)?[2];

        if (v2 is not null && v2.MountPoint == "/sys/fs/cgroup")
            return new CgroupPlan(CgroupMode.V2, [], new CgroupHierarchy("", "", Source(v2, unifiedPath)));
        var v1 = mounts.Where(m => m.FsType == "cgroup").ToList();
        if (v1.Count == 0)
        {
            if (v2 is null) throw new RuntimeException("no cgroup filesystem is mounted on this host (/proc/self/mountinfo)");
            return new CgroupPlan(CgroupMode.V2, [], new CgroupHierarchy("", "", Source(v2, unifiedPath)));
        }

        // In the host's mount order (as runc shows them), each hierarchy the init belongs to once.
        var hierarchies = new List<CgroupHierarchy>();
        foreach (var mount in v1)
        {
            var line = own.FirstOrDefault(l => l[1].Length > 0 && l[1].Split(',').All(c => mount.SuperOptions.Contains(c)));
            if (line is null) continue; // a hierarchy this process is not in
            string name = mount.MountPoint[(mount.MountPoint.LastIndexOf('/') + 1)..];
            if (hierarchies.Any(h => h.Name == name || h.Controllers == line[1])) continue;
            hierarchies.Add(new CgroupHierarchy(name, line[1], Source(mount, line[2])));
        }
        var unified = v2 is null ? null : new CgroupHierarchy("unified", "", Source(v2, unifiedPath));
        return new CgroupPlan(v2 is null ? CgroupMode.V1 : CgroupMode.Hybrid, hierarchies, unified);
    }

    /// <summary>The host directory of a cgroup (its path is relative to the hierarchy's root); null when the mount does not show it.</summary>
    private static string? Source(MountInfo mount, string? path)
    {
        if (path is null) return null;
        string root = mount.Root.TrimEnd('/');
        if (root.Length == 0) return path == "/" ? mount.MountPoint : mount.MountPoint.TrimEnd('/') + path;
        if (path == root) return mount.MountPoint;
        return path.StartsWith(root + "/", StringComparison.Ordinal) ? mount.MountPoint.TrimEnd('/') + path[root.Length..] : null;
    }

    /// <summary>Merged v1 controllers ("cpu,cpuacct") also appear under each name, as symbolic links.</summary>
    public IEnumerable<(string Link, string Target)> Symlinks =>
        Hierarchies.Where(h => h.Name.Contains(',', StringComparison.Ordinal))
            .SelectMany(h => h.Name.Split(',').Where(n => n != h.Name).Select(n => (n, h.Name)));
}

/// <summary>One line of /proc/self/mountinfo.</summary>
public sealed record MountInfo(int Id, int Parent, string Root, string MountPoint, string Options, IReadOnlyList<string> Optional, string FsType,
    string Source, IReadOnlySet<string> SuperOptions)
{
    public static IEnumerable<MountInfo> Parse(string text)
    {
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ');
            int dash = Array.IndexOf(f, "-");
            if (dash < 6 || f.Length < dash + 4) continue;
            yield return new MountInfo(
                int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture),
                Unescape(f[3]), Unescape(f[4]), f[5], f[6..dash], f[dash + 1], Unescape(f[dash + 2]),
                new HashSet<string>(f[dash + 3].Split(','), StringComparer.Ordinal));
        }
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo.</summary>
    public static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal)) return s;
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s.AsSpan(at, 3).IndexOfAnyExcept("01234567") < 0;
}
