using Skiff.Interop;

namespace Skiff.Runtime.Cgroups;

/// <summary>How the host mounts cgroups.</summary>
public enum CgroupMode
{
    /// <summary>Only v1 hierarchies under the root (a tmpfs), one per controller or group of controllers.</summary>
    V1,
    /// <summary>One cgroup2 file system at the root.</summary>
    V2,
    /// <summary>v1 hierarchies plus a cgroup2 tree at ROOT/unified holding the controllers no v1 hierarchy took.</summary>
    Hybrid,
}

/// <summary>A v1 hierarchy: where it is mounted and which cgroup of the hierarchy the mount shows.</summary>
public sealed record V1Hierarchy(string MountPoint, string HierarchyRoot, IReadOnlyList<string> Controllers);

/// <summary>
/// The cgroup layout of the host, found once: the mode from statfs magic numbers (cgroup2 at the root: v2;
/// otherwise a cgroup2 mount under it: hybrid; else v1), the v1 hierarchies and their controllers from
/// /proc/self/mountinfo, the controllers of the cgroup2 tree from its cgroup.controllers. The root is
/// a parameter so that tests can lay out each mode in a temporary directory.
/// </summary>
public sealed class CgroupLayout
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    private static readonly HashSet<string> KnownV1Controllers = new(StringComparer.Ordinal)
    {
        "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls", "net_prio", "perf_event",
        "hugetlb", "pids", "rdma", "misc", "debug",
    };

    private static readonly Lazy<CgroupLayout> s_host = new(() => Detect(HostCgroupFs.Instance));

    /// <summary>The machine's layout, detected on first use.</summary>
    public static CgroupLayout Host => s_host.Value;

    public required ICgroupFs Fs { get; init; }
    public required string Root { get; init; }
    public required CgroupMode Mode { get; init; }
    /// <summary>v1 controller (or "name=systemd") → its hierarchy. Empty on v2.</summary>
    public required IReadOnlyDictionary<string, V1Hierarchy> V1 { get; init; }
    /// <summary>The cgroup2 mount (the root on v2, ROOT/unified on a hybrid host), or null on pure v1.</summary>
    public string? UnifiedMount { get; init; }
    /// <summary>The cgroup of the cgroup2 tree the unified mount shows (mountinfo's root field), normally "/".</summary>
    public string UnifiedHierarchyRoot { get; init; } = "/";
    /// <summary>Controllers available in the cgroup2 tree (its root's cgroup.controllers).</summary>
    public required IReadOnlySet<string> UnifiedControllers { get; init; }

    public static CgroupLayout Detect(ICgroupFs fs, string root = DefaultRoot)
    {
        long rootType = fs.FileSystemType(root);
        if (rootType < 0) throw new RuntimeException($"cgroups: {root} does not exist: mount the cgroup file systems");
        var mounts = MountInfo.Parse(fs.ReadProcSelf("mountinfo"));
        if (rootType == Libc.CGROUP2_SUPER_MAGIC)
        {
            var own = mounts.FirstOrDefault(m => m.MountPoint == root && m.FsType == "cgroup2");
            return new CgroupLayout
            {
                Fs = fs, Root = root, Mode = CgroupMode.V2, V1 = new Dictionary<string, V1Hierarchy>(), UnifiedMount = root,
                UnifiedHierarchyRoot = own?.Root ?? "/", UnifiedControllers = ReadControllers(fs, root),
            };
        }
        var v1 = new Dictionary<string, V1Hierarchy>(StringComparer.Ordinal);
        foreach (var m in mounts)
        {
            if (m.FsType != "cgroup" || Path.GetDirectoryName(m.MountPoint) != root) continue;
            if (fs.FileSystemType(m.MountPoint) != Libc.CGROUP_SUPER_MAGIC) continue;
            var controllers = m.SuperOptions.Split(',').Where(o => KnownV1Controllers.Contains(o) || o.StartsWith("name=", StringComparison.Ordinal)).ToList();
            var h = new V1Hierarchy(m.MountPoint, m.Root, controllers);
            foreach (string c in controllers) v1.TryAdd(c, h);
        }
        string? unified = null;
        string unifiedRoot = "/";
        foreach (string dir in fs.SubDirectories(root))
        {
            if (fs.FileSystemType(dir) != Libc.CGROUP2_SUPER_MAGIC) continue;
            unified = dir;
            unifiedRoot = mounts.FirstOrDefault(m => m.MountPoint == dir)?.Root ?? "/";
            break;
        }
        if (v1.Count == 0 && unified is null) throw new RuntimeException($"cgroups: no cgroup file system is mounted under {root}");
        return new CgroupLayout
        {
            Fs = fs, Root = root, Mode = v1.Count == 0 ? CgroupMode.V2 : unified is null ? CgroupMode.V1 : CgroupMode.Hybrid,
            V1 = v1, UnifiedMount = unified, UnifiedHierarchyRoot = unifiedRoot,
            UnifiedControllers = unified is null ? new HashSet<string>() : ReadControllers(fs, unified),
        };
    }

    private static HashSet<string> ReadControllers(ICgroupFs fs, string dir)
    {
        try { return new HashSet<string>(fs.Read(Path.Combine(dir, "cgroup.controllers")).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal); }
        catch (ErrnoException) { return []; }
    }

    /// <summary>The process's own cgroups from /proc/self/cgroup: v1 controller (or "name=X") → path, "" → the cgroup2 path.</summary>
    public Dictionary<string, string> OwnCgroups()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in Fs.ReadProcSelf("cgroup").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[1].Length == 0) { result[""] = parts[2]; continue; }
            foreach (string c in parts[1].Split(',')) result[c] = parts[2];
        }
        return result;
    }

    /// <summary>The directory of this process's own cgroup in a v1 hierarchy, or null when it is not mounted.</summary>
    public string? OwnV1Dir(string controller, Dictionary<string, string> own)
    {
        if (!V1.TryGetValue(controller, out var h) || !own.TryGetValue(controller, out string? path)) return null;
        return Join(h.MountPoint, Relative(h.HierarchyRoot, path));
    }

    /// <summary>The directory of this process's own cgroup in the cgroup2 tree, or null on pure v1.</summary>
    public string? OwnUnifiedDir(Dictionary<string, string> own)
    {
        if (UnifiedMount is null) return null;
        return Join(UnifiedMount, Relative(UnifiedHierarchyRoot, own.GetValueOrDefault("", "/")));
    }

    /// <summary>A cgroup path seen from a mount whose root is <paramref name="hierarchyRoot"/> (runc's GetOwnCgroupPath).</summary>
    private static string Relative(string hierarchyRoot, string path)
    {
        if (hierarchyRoot == "/") return path;
        return path == hierarchyRoot ? "/" : path.StartsWith(hierarchyRoot + "/", StringComparison.Ordinal) ? path[hierarchyRoot.Length..] : path;
    }

    /// <summary>dir + an absolute cgroup path, without leaving dir.</summary>
    public static string Join(string dir, string cgroupPath)
    {
        string clean = CgroupPaths.Clean(cgroupPath).TrimStart('/');
        return clean.Length == 0 ? dir : Path.Combine(dir, clean);
    }

    private sealed record MountInfo(string Root, string MountPoint, string FsType, string SuperOptions)
    {
        public static List<MountInfo> Parse(string text)
        {
            var list = new List<MountInfo>();
            foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // id parent major:minor root mountpoint options [optional fields] - fstype source superoptions
                string[] f = line.Split(' ');
                int dash = Array.IndexOf(f, "-");
                if (f.Length < 5 || dash < 0 || dash + 3 >= f.Length) continue;
                list.Add(new MountInfo(Unescape(f[3]), Unescape(f[4]), f[dash + 1], f[dash + 3]));
            }
            return list;
        }

        private static string Unescape(string s) => s.Contains('\\', StringComparison.Ordinal)
            ? s.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal)
            : s;
    }
}
