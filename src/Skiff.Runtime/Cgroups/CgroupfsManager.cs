using System.Globalization;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Cgroups.Devices;

namespace Skiff.Runtime.Cgroups;

/// <summary>
/// The cgroupfs manager (runc's fs and fs2): a directory per v1 hierarchy, plus one in the cgroup2 tree on
/// v2 and on a hybrid host (where hugetlb and eBPF device filtering live). Each resource goes to the v1
/// controller when that hierarchy is mounted, else to the cgroup2 tree when it has the controller.
/// </summary>
public sealed class CgroupfsManager : ICgroupManager
{
    /// <summary>A resource kind: its v1 controller and its v2 counterpart (null: v1 only).</summary>
    private sealed record Slot(string V1Name, IController V1, string? V2Name, IController? V2);

    private static readonly Slot[] Slots =
    [
        new("cpuset", new V1.Cpuset(), "cpuset", new V2.Cpuset()),
        new("memory", new V1.Memory(), "memory", new V2.Memory()),
        new("cpu", new V1.Cpu(), "cpu", new V2.Cpu()),
        new("cpuacct", new V1.Cpuacct(), null, null),
        new("pids", new V1.Pids(), "pids", new V2.Pids()),
        new("blkio", new V1.Blkio(), "io", new V2.Io()),
        new("hugetlb", new V1.Hugetlb(), "hugetlb", new V2.Hugetlb()),
        new("net_cls", new V1.NetCls(), null, null),
        new("net_prio", new V1.NetPrio(), null, null),
        new("rdma", new V1.Rdma(), "rdma", new V2.Rdma()),
    ];

    private readonly CgroupLayout _layout;
    private readonly List<string> _warnings = [];

    public CgroupState State { get; }
    public IReadOnlyList<string> Warnings => _warnings;

    private CgroupfsManager(CgroupLayout layout, CgroupState state)
    {
        _layout = layout;
        State = state;
    }

    private ICgroupFs Fs => _layout.Fs;

    /// <summary>
    /// A manager for a new container at <paramref name="path"/> (absolute, or relative to our own cgroup: <see cref="CgroupPaths"/>).
    /// <paramref name="rootless"/>: permission errors are ignored; <paramref name="unprivileged"/> (default: as rootless):
    /// the runtime cannot set device rules (<see cref="CgroupState.Unprivileged"/>).
    /// </summary>
    public static CgroupfsManager ForPath(CgroupLayout layout, string path, bool rootless, bool devicesEbpf, bool? unprivileged = null)
    {
        var state = new CgroupState { Manager = "cgroupfs", Rootless = rootless, Unprivileged = unprivileged ?? rootless };
        bool absolute = path.StartsWith('/');
        var own = absolute ? null : layout.OwnCgroups();
        foreach (var (controller, h) in layout.V1)
        {
            if (controller == "debug") continue;
            string? parent = absolute ? h.MountPoint : layout.OwnV1Dir(controller, own!);
            if (parent is not null) state.Paths[controller] = CgroupLayout.Join(parent, path);
        }
        if (layout.UnifiedMount is { } unified)
        {
            string? parent = absolute ? unified : layout.OwnUnifiedDir(own!);
            // On v2 our own cgroup holds processes, so no controller can be enabled below it: runc goes to its parent.
            if (!absolute && layout.Mode == CgroupMode.V2 && parent != unified) parent = Path.GetDirectoryName(parent)!;
            if (parent is not null) state.Paths[""] = CgroupLayout.Join(parent, path);
        }
        state.DevicesEbpf = state.Paths.ContainsKey("") && (devicesEbpf || !state.Paths.ContainsKey(V1.Devices.Name));
        return new CgroupfsManager(layout, state);
    }

    /// <summary>The manager of an existing container, from its record.</summary>
    public static CgroupfsManager FromState(CgroupLayout layout, CgroupState state) => new(layout, state);

    private IEnumerable<string> DistinctPaths => State.Paths.Values.Distinct(StringComparer.Ordinal);

    public void Create(LinuxResources resources, IReadOnlyList<DeviceRule> devices)
    {
        try
        {
            foreach (var (key, dir) in State.Paths.ToList())
            {
                try { MakeDirs(key, dir); }
                catch (ErrnoException e) when (State.Rootless && e.Errno is Errno.EACCES or Errno.EPERM or Errno.EROFS)
                {
                    // Not delegated to us: this controller is simply not used (a limit it should apply is reported by Set).
                    State.Paths.Remove(key);
                }
            }
            if (State.Paths.TryGetValue("cpuset", out string? cpuset)) V1.Cpuset.EnsureFilled(Fs, _layout.V1["cpuset"].MountPoint, Path.GetDirectoryName(cpuset)!);
            Set(resources);
            if (State.Paths.TryGetValue("cpuset", out cpuset)) V1.Cpuset.EnsureFilled(Fs, _layout.V1["cpuset"].MountPoint, cpuset);
            SetDevices(devices);
        }
        catch
        {
            TryDestroy();
            throw;
        }
    }

    /// <summary>mkdir -p within the hierarchy; in the cgroup2 tree the parents get every available controller enabled (runc's CreateCgroupPath).</summary>
    private void MakeDirs(string key, string dir)
    {
        string mount = key.Length == 0 ? _layout.UnifiedMount! : _layout.V1[key].MountPoint;
        var chain = new List<string>();
        for (string d = dir; d.Length > mount.Length; d = Path.GetDirectoryName(d)!) chain.Add(d);
        chain.Reverse();
        string parent = mount;
        foreach (string d in chain)
        {
            if (key.Length == 0) EnableControllers(parent);
            Fs.Mkdir(d);
            parent = d;
        }
    }

    private void EnableControllers(string dir)
    {
        if (_layout.UnifiedControllers.Count == 0) return;
        var d = new CgroupDir(Fs, dir);
        string all = string.Join(' ', _layout.UnifiedControllers.Order(StringComparer.Ordinal).Select(c => "+" + c));
        try { d.Write("cgroup.subtree_control", all); }
        catch (ErrnoException)
        {
            // One by one: a cgroup with processes, or without delegation, may refuse some; a limit that needed one fails later, by name.
            foreach (string c in _layout.UnifiedControllers)
            {
                try { d.Write("cgroup.subtree_control", "+" + c); }
                catch (ErrnoException) { }
            }
        }
    }

    public void Join(int pid)
    {
        string value = pid.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, dir) in State.Paths.ToList())
        {
            try { new CgroupDir(Fs, dir).Write("cgroup.procs", value); }
            catch (ErrnoException e) when (State.Rootless && e.Errno is Errno.EACCES or Errno.EPERM or Errno.EROFS or Errno.ENOENT)
            {
                State.Paths.Remove(key);
            }
        }
    }

    public void Update(LinuxResources resources, IReadOnlyList<DeviceRule>? devices)
    {
        Set(resources);
        if (devices is not null) SetDevices(devices);
    }

    /// <summary>Writes every limit the resources ask for; a limit with no controller to take it is an error (a warning rootless).</summary>
    private void Set(LinuxResources r)
    {
        var missing = new List<string>();
        foreach (var slot in Slots)
        {
            var (controller, dir) = Resolve(slot);
            var wanted = slot.V1.IsSet(r) || (slot.V2?.IsSet(r) ?? false);
            if (!wanted) continue;
            if (controller is null) { missing.Add(slot.V1Name); continue; }
            controller.Set(dir, r);
        }
        if (r.Unified is { Count: > 0 } unified)
        {
            if (!State.Paths.TryGetValue("", out string? dir))
            {
                if (_layout.UnifiedMount is null) throw new RuntimeException("linux.resources.unified: cgroup v2 files cannot be set on a cgroup v1 host");
                missing.Add("unified");
            }
            else V2.Unified.Set(new CgroupDir(Fs, dir), unified, _layout.UnifiedControllers);
        }
        if (missing.Count == 0) return;
        string names = string.Join(", ", missing);
        if (State.Rootless)
            _warnings.Add($"resource limits are not supported and ignored: cgroups ({names}) are not delegated to this user");
        else
            throw new RuntimeException($"cannot set {names} limit: the {names} controller is not available on this host");
    }

    /// <summary>The controller and directory that take a slot's resources here, or (null, default).</summary>
    private (IController? Controller, CgroupDir Dir) Resolve(Slot slot)
    {
        if (State.Paths.TryGetValue(slot.V1Name, out string? v1)) return (slot.V1, new CgroupDir(Fs, v1));
        if (slot.V2 is not null && State.Paths.TryGetValue("", out string? v2) && _layout.UnifiedControllers.Contains(slot.V2Name!))
            return (slot.V2, new CgroupDir(Fs, v2));
        // cpu.stat exists in every v2 cgroup, controller or not.
        if (slot.V1Name == "cpu" && _layout.Mode == CgroupMode.V2 && State.Paths.TryGetValue("", out v2)) return (slot.V2, new CgroupDir(Fs, v2));
        return (null, default);
    }

    private void SetDevices(IReadOnlyList<DeviceRule> rules)
    {
        // In a user namespace the kernel refuses device cgroups and mknod alike (runc skips them too). Real root
        // with --rootless true still gets its device rules: that flag only forgives permission errors.
        if (State.DevicesLeftToKernel) return;
        if (State.DevicesEbpf) V2.Devices.Set(new CgroupDir(Fs, State.Paths[""]), rules);
        else if (State.Paths.TryGetValue(V1.Devices.Name, out string? dir)) V1.Devices.Set(new CgroupDir(Fs, dir), rules);
        else throw new RuntimeException("no devices cgroup on this host: refusing to start a container without device rules");
    }

    public void Freeze()
    {
        if (State.Paths.TryGetValue(V1.Freezer.Name, out string? v1)) V1.Freezer.Freeze(new CgroupDir(Fs, v1));
        else if (State.Paths.TryGetValue("", out string? v2)) V2.Freezer.Freeze(new CgroupDir(Fs, v2));
        else throw new RuntimeException("cannot pause: the container has no freezer cgroup");
    }

    public void Thaw()
    {
        if (State.Paths.TryGetValue(V1.Freezer.Name, out string? v1)) V1.Freezer.Thaw(new CgroupDir(Fs, v1));
        else if (State.Paths.TryGetValue("", out string? v2)) V2.Freezer.Thaw(new CgroupDir(Fs, v2));
        else throw new RuntimeException("cannot resume: the container has no freezer cgroup");
    }

    public bool IsFrozen()
    {
        try
        {
            if (State.Paths.TryGetValue(V1.Freezer.Name, out string? v1)) return V1.Freezer.IsFrozen(new CgroupDir(Fs, v1));
            if (State.Paths.TryGetValue("", out string? v2)) return V2.Freezer.IsFrozen(new CgroupDir(Fs, v2));
        }
        catch (ErrnoException) { }
        return false;
    }

    public List<int> Pids()
    {
        foreach (string key in new[] { "devices", "freezer", "memory", "pids", "" })
            if (State.Paths.TryGetValue(key, out string? dir) && Fs.Exists(dir)) return new CgroupDir(Fs, dir).Pids(recursive: true);
        foreach (string dir in DistinctPaths)
            if (Fs.Exists(dir)) return new CgroupDir(Fs, dir).Pids(recursive: true);
        return [];
    }

    public CgroupStats Stats()
    {
        var stats = new CgroupStats();
        foreach (var slot in Slots)
        {
            var (controller, dir) = Resolve(slot);
            if (controller is not null && Fs.Exists(dir.Path)) controller.AddStats(dir, stats);
        }
        return stats;
    }

    public ulong OomKillCount()
    {
        var (controller, dir) = Resolve(Slots[1]);
        if (controller is null || !Fs.Exists(dir.Path)) return 0;
        return controller is V1.Memory ? V1.Memory.OomKillCount(dir) : V2.Memory.OomKillCount(dir);
    }

    public OomNotifier? OpenOomNotifier()
    {
        var (controller, dir) = Resolve(Slots[1]);
        if (controller is null || !Fs.Exists(dir.Path)) return null;
        if (controller is V1.Memory)
        {
            // cgroup.event_control: "<eventfd> <fd of memory.oom_control>" registers for OOM notifications.
            int efd = Libc.EventFd(0, Libc.EFD_CLOEXEC);
            if (efd < 0) Libc.ThrowErrno("eventfd");
            var eventFd = new SafeFd(efd);
            int ofd = Libc.Open(dir.File(V1.Memory.OomControl), Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (ofd < 0) { eventFd.Dispose(); Libc.ThrowErrno($"open {dir.File(V1.Memory.OomControl)}"); }
            var control = new SafeFd(ofd);
            try { dir.Write("cgroup.event_control", $"{efd} {ofd}"); }
            catch { eventFd.Dispose(); control.Dispose(); throw; }
            return new OomNotifier(eventFd, control);
        }
        int ifd = Libc.InotifyInit1(Libc.IN_CLOEXEC | Libc.IN_NONBLOCK);
        if (ifd < 0) Libc.ThrowErrno("inotify_init1");
        var inotify = new SafeFd(ifd);
        if (Libc.InotifyAddWatch(ifd, dir.File("memory.events"), Libc.IN_MODIFY) < 0) { inotify.Dispose(); Libc.ThrowErrno($"inotify_add_watch {dir.File("memory.events")}"); }
        return new OomNotifier(inotify, null);
    }

    public void Destroy()
    {
        var failures = new List<string>();
        foreach (string dir in DistinctPaths)
        {
            string? failure = RemovePath(dir);
            if (failure is not null) failures.Add(failure);
        }
        if (failures.Count > 0) throw new RuntimeException($"cannot remove the container's cgroup: {string.Join("; ", failures)}");
    }

    private void TryDestroy()
    {
        foreach (string dir in DistinctPaths) RemovePath(dir);
    }

    /// <summary>runc's RemovePath: sub-cgroups first, rmdir only, EBUSY retried for about a second; null on success.</summary>
    private string? RemovePath(string dir)
    {
        int errno = Fs.Rmdir(dir);
        if (errno is 0 or Errno.ENOENT) return null;
        foreach (string sub in Fs.SubDirectories(dir))
        {
            string? f = RemovePath(sub);
            if (f is not null) return f;
        }
        int delay = 1;
        for (int tries = 0; ; tries++)
        {
            errno = Fs.Rmdir(dir);
            if (errno is 0 or Errno.ENOENT) return null;
            if (errno != Errno.EBUSY || tries >= 10) return $"rmdir {dir}: {Libc.StrError(errno)}";
            Thread.Sleep(delay);
            delay *= 2;
        }
    }
}
