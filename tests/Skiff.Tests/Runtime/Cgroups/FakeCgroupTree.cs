using Skiff.Interop;
using Skiff.Runtime.Cgroups;

namespace Skiff.Tests.Runtime.Cgroups;

/// <summary>
/// A temporary directory laid out like /sys/fs/cgroup in v1, v2 or hybrid mode, with the control files a kernel
/// shows, behind <see cref="ICgroupFs"/>: statfs answers from the layout, /proc/self/cgroup and mountinfo are
/// made up, a mkdir copies the parent's control files (as the kernel populates a new cgroup), and every write
/// is recorded in order (file relative to the root, value).
/// </summary>
public sealed class FakeCgroupTree : ICgroupFs, IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("skiff-cgfake-").FullName;
    public List<(string File, string Value)> Writes { get; } = [];
    public List<(string Dir, byte[] Program)> DeviceFilters { get; } = [];
    /// <summary>Directories (relative) under which mkdir fails with EACCES: a tree not delegated to a rootless user.</summary>
    public HashSet<string> Undelegated { get; } = [];
    /// <summary>The process's own cgroup, per v1 controller, and "" for cgroup2.</summary>
    public Dictionary<string, string> Own { get; } = [];

    private readonly Dictionary<string, long> _fsTypes = [];
    private readonly List<string> _mountInfo = [];

    public static readonly string[] V1Controllers = ["cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls", "net_prio", "pids", "hugetlb", "rdma"];

    public static FakeCgroupTree V1(params string[] controllers)
    {
        var t = new FakeCgroupTree();
        t._fsTypes[t.Root] = Libc.TMPFS_MAGIC;
        foreach (string c in controllers.Length > 0 ? controllers : V1Controllers) t.AddV1(c);
        t.AddV1Named("systemd");
        return t;
    }

    public static FakeCgroupTree V2(params string[] controllers)
    {
        var t = new FakeCgroupTree();
        t._fsTypes[t.Root] = Libc.CGROUP2_SUPER_MAGIC;
        t._mountInfo.Add($"30 25 0:26 / {t.Root} rw,nosuid - cgroup2 cgroup2 rw");
        t.FillV2(t.Root, controllers.Length > 0 ? controllers : ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma"], root: true);
        t.Own[""] = "/user.slice/session-1.scope";
        return t;
    }

    /// <summary>This machine's kind: v1 controllers and a cgroup2 tree at ROOT/unified with hugetlb only.</summary>
    public static FakeCgroupTree Hybrid()
    {
        var t = V1("cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "pids");
        string unified = Path.Combine(t.Root, "unified");
        Directory.CreateDirectory(unified);
        t._fsTypes[unified] = Libc.CGROUP2_SUPER_MAGIC;
        t._mountInfo.Add($"40 25 0:40 / {unified} rw - cgroup2 cgroup2 rw");
        t.FillV2(unified, ["hugetlb"], root: true);
        t.Own[""] = "/";
        return t;
    }

    private void AddV1(string controller)
    {
        string dir = Path.Combine(Root, controller);
        Directory.CreateDirectory(dir);
        _fsTypes[dir] = Libc.CGROUP_SUPER_MAGIC;
        _mountInfo.Add($"{30 + _mountInfo.Count} 25 0:{30 + _mountInfo.Count} / {dir} rw,nosuid shared:9 - cgroup cgroup rw,{controller}");
        Own[controller] = "/";
        Touch(dir, "cgroup.procs", "");
        foreach (var (file, value) in V1Files(controller)) Touch(dir, file, value);
    }

    private void AddV1Named(string name)
    {
        string dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        _fsTypes[dir] = Libc.CGROUP_SUPER_MAGIC;
        _mountInfo.Add($"{30 + _mountInfo.Count} 25 0:{30 + _mountInfo.Count} / {dir} rw - cgroup cgroup rw,xattr,name={name}");
        Own["name=" + name] = "/";
        Touch(dir, "cgroup.procs", "");
    }

    private static IEnumerable<(string File, string Value)> V1Files(string controller) => controller switch
    {
        "memory" =>
        [
            ("memory.limit_in_bytes", "9223372036854771712"), ("memory.memsw.limit_in_bytes", "9223372036854771712"),
            ("memory.soft_limit_in_bytes", "9223372036854771712"), ("memory.swappiness", "60"), ("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"),
            ("memory.kmem.limit_in_bytes", "9223372036854771712"), ("memory.kmem.tcp.limit_in_bytes", "9223372036854771712"),
            ("memory.usage_in_bytes", "4096"), ("memory.max_usage_in_bytes", "8192"), ("memory.failcnt", "0"), ("memory.stat", "cache 12\nrss 34\n"),
            ("memory.memsw.usage_in_bytes", "4096"), ("memory.memsw.max_usage_in_bytes", "8192"), ("memory.memsw.failcnt", "0"),
            ("cgroup.event_control", ""),
        ],
        "cpu" =>
        [
            ("cpu.shares", "1024"), ("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", "-1"), ("cpu.cfs_burst_us", "0"), ("cpu.idle", "0"),
            ("cpu.rt_period_us", "1000000"), ("cpu.rt_runtime_us", "0"), ("cpu.stat", "nr_periods 5\nnr_throttled 2\nthrottled_time 77\n"),
        ],
        "cpuacct" => [("cpuacct.usage", "1000"), ("cpuacct.usage_percpu", "600 400 "), ("cpuacct.stat", "user 3\nsystem 4\n")],
        "cpuset" => [("cpuset.cpus", "0-3"), ("cpuset.mems", "0")],
        "blkio" => [("blkio.weight", "500"), ("blkio.weight_device", ""), ("blkio.leaf_weight", "500"), ("blkio.leaf_weight_device", ""),
            ("blkio.throttle.read_bps_device", ""), ("blkio.throttle.write_bps_device", ""), ("blkio.throttle.read_iops_device", ""),
            ("blkio.throttle.write_iops_device", ""), ("blkio.throttle.io_service_bytes_recursive", "8:0 Read 100\n8:0 Write 200\nTotal 300\n")],
        "devices" => [("devices.allow", ""), ("devices.deny", ""), ("devices.list", "a *:* rwm\n")],
        "freezer" => [("freezer.state", "THAWED")],
        "net_cls" => [("net_cls.classid", "0")],
        "net_prio" => [("net_prio.ifpriomap", "lo 0\n")],
        "pids" => [("pids.max", "max"), ("pids.current", "1")],
        "hugetlb" => [("hugetlb.2MB.limit_in_bytes", "9223372036854771712"), ("hugetlb.1GB.limit_in_bytes", "9223372036854771712")],
        "rdma" => [("rdma.max", "")],
        _ => [],
    };

    private void FillV2(string dir, string[] controllers, bool root)
    {
        Touch(dir, "cgroup.procs", "");
        Touch(dir, "cgroup.controllers", string.Join(' ', controllers) + "\n");
        Touch(dir, "cgroup.subtree_control", "");
        Touch(dir, "cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\n");
        if (!root)
        {
            Touch(dir, "cgroup.freeze", "0");
            Touch(dir, "cgroup.events", "populated 0\nfrozen 0\n");
        }
        foreach (string c in controllers)
        {
            if (root) continue;
            foreach (var (file, value) in V2Files(c)) Touch(dir, file, value);
        }
    }

    private static IEnumerable<(string File, string Value)> V2Files(string controller) => controller switch
    {
        "memory" => [("memory.max", "max"), ("memory.swap.max", "max"), ("memory.low", "0"), ("memory.current", "4096"), ("memory.swap.current", "0"),
            ("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"), ("memory.stat", "anon 10\nfile 20\n"), ("memory.high", "max")],
        "cpu" => [("cpu.weight", "100"), ("cpu.max", "max 100000"), ("cpu.max.burst", "0"), ("cpu.idle", "0")],
        "cpuset" => [("cpuset.cpus", ""), ("cpuset.mems", ""), ("cpuset.cpus.effective", "0-1"), ("cpuset.mems.effective", "0")],
        "io" => [("io.weight", "default 100"), ("io.max", ""), ("io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2\n")],
        "hugetlb" => [("hugetlb.2MB.max", "max"), ("hugetlb.1GB.max", "max"), ("hugetlb.2MB.current", "0")],
        "pids" => [("pids.max", "max"), ("pids.current", "1")],
        "rdma" => [("rdma.max", "")],
        _ => [],
    };

    private static void Touch(string dir, string file, string value) => File.WriteAllText(Path.Combine(dir, file), value);

    public CgroupLayout Layout() => CgroupLayout.Detect(this, Root);

    /// <summary>The writes to files whose path (relative to the root) ends with <paramref name="suffix"/>.</summary>
    public List<string> WritesTo(string suffix) => [.. Writes.Where(w => w.File.EndsWith(suffix, StringComparison.Ordinal)).Select(w => w.Value)];

    public string ReadFile(string relative) => File.ReadAllText(Path.Combine(Root, relative)).Trim();

    public void SetFile(string relative, string value) => File.WriteAllText(Path.Combine(Root, relative), value);

    public string Rel(string path) => Path.GetRelativePath(Root, path);

    // ICgroupFs

    public long FileSystemType(string path) =>
        _fsTypes.TryGetValue(path.TrimEnd('/'), out long t) ? t : Path.Exists(path) ? 0xEF53 : -1;

    public string ReadProcSelf(string name) => name switch
    {
        "mountinfo" => string.Join('\n', _mountInfo) + "\n",
        "cgroup" => string.Join('\n', Own.Select((kv, i) => kv.Key.Length == 0 ? $"0::{kv.Value}" : $"{i + 1}:{kv.Key}:{kv.Value}")) + "\n",
        _ => throw new FileNotFoundException(name),
    };

    public string Read(string path) => HostCgroupFs.Instance.Read(path);

    public void Write(string path, string value)
    {
        HostCgroupFs.Instance.Write(path, value);
        Writes.Add((Rel(path), value));
        // What the kernel would show after some writes.
        string name = Path.GetFileName(path), dir = Path.GetDirectoryName(path)!;
        if (name == "cgroup.freeze") File.WriteAllText(Path.Combine(dir, "cgroup.events"), $"populated 1\nfrozen {value}\n");
        if (name is "devices.allow" or "devices.deny") ApplyDeviceRule(dir, name == "devices.allow", value);
    }

    /// <summary>Keeps devices.list as the kernel does, through the runtime's own emulator (its tests stand apart).</summary>
    private static void ApplyDeviceRule(string dir, bool allow, string line)
    {
        string list = Path.Combine(dir, "devices.list");
        var emu = Skiff.Runtime.Cgroups.Devices.DeviceEmulator.FromList(File.ReadAllText(list));
        string[] f = line.Split(' ');
        string[] mm = f[1].Split(':');
        emu.Apply(new Skiff.Runtime.Cgroups.Devices.DeviceRule(f[0][0], mm[0] == "*" ? -1 : long.Parse(mm[0], System.Globalization.CultureInfo.InvariantCulture),
            mm[1] == "*" ? -1 : long.Parse(mm[1], System.Globalization.CultureInfo.InvariantCulture), Skiff.Runtime.Cgroups.Devices.DeviceRule.ParseAccess(f[2]), allow));
        File.WriteAllText(list, emu.DefaultAllow ? "a *:* rwm\n" : string.Concat(emu.Exceptions().Select(r => r.CgroupString + "\n")));
    }

    public bool Exists(string path) => Path.Exists(path);

    public bool Mkdir(string path)
    {
        if (Undelegated.Any(u => Rel(path).StartsWith(u, StringComparison.Ordinal))) throw new ErrnoException($"mkdir {path}", Errno.EACCES);
        if (Directory.Exists(path)) return false;
        string parent = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(parent)) throw new ErrnoException($"mkdir {path}", Errno.ENOENT);
        Directory.CreateDirectory(path);
        bool v2 = IsInV2(path);
        foreach (string file in Directory.GetFiles(parent))
        {
            string name = Path.GetFileName(file);
            if (v2 && name is "cgroup.controllers" or "cgroup.subtree_control") continue;
            // A new cgroup: no processes; a v1 cpuset starts empty.
            string value = name is "cgroup.procs" or "cpuset.cpus" or "cpuset.mems" ? "" : File.ReadAllText(file);
            File.WriteAllText(Path.Combine(path, name), value);
        }
        if (v2)
        {
            // Controllers come from the parent's subtree_control.
            string enabled = File.ReadAllText(Path.Combine(parent, "cgroup.subtree_control"));
            string[] controllers = [.. enabled.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c.TrimStart('+'))];
            FillV2(path, controllers, root: false);
        }
        return true;
    }

    private bool IsInV2(string path)
    {
        for (string? d = Path.GetDirectoryName(path); d is not null && d.Length >= Root.Length; d = Path.GetDirectoryName(d))
            if (_fsTypes.TryGetValue(d, out long t)) return t == Libc.CGROUP2_SUPER_MAGIC;
        return false;
    }

    public int Rmdir(string path)
    {
        if (!Directory.Exists(path)) return Errno.ENOENT;
        if (Directory.GetDirectories(path).Length > 0) return Errno.EBUSY;
        if (File.Exists(Path.Combine(path, "cgroup.procs")) && File.ReadAllText(Path.Combine(path, "cgroup.procs")).Trim().Length > 0) return Errno.EBUSY;
        Directory.Delete(path, recursive: true);
        return 0;
    }

    public IReadOnlyList<string> SubDirectories(string path) => Directory.Exists(path) ? Directory.GetDirectories(path) : [];

    public void AttachDeviceFilter(string dir, byte[] program, string license) => DeviceFilters.Add((Rel(dir), program));

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
