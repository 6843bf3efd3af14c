using Skiff.Interop;
using Skiff.Oci.Runtime;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>What the init tells <see cref="RootfsSetup"/> beyond config.json.</summary>
public sealed class RootfsRequest
{
    public required Spec Spec { get; init; }

    /// <summary>root.path as an absolute host path.</summary>
    public required string Rootfs { get; init; }

    /// <summary>The bundle: relative bind sources are relative to it.</summary>
    public string? Bundle { get; init; }

    /// <summary>The init runs in a user namespace (the container's own, or the one rootless Skiff runs the runtime in): mknod is refused, so devices are bound from the host.</summary>
    public bool InUserNamespace { get; init; }

    /// <summary>`create --no-pivot`: MS_MOVE the root onto / and chroot, instead of pivot_root.</summary>
    public bool NoPivot { get; init; }

    /// <summary>Idmapped mounts `create` made (<see cref="IdmappedMounts.Prepare"/>), by index in config.mounts; others are made by the init itself.</summary>
    public IReadOnlyDictionary<int, Node>? PreparedMounts { get; init; }

    /// <summary>Whether the container has a namespace of this type of its own (new, or joined by path).</summary>
    public bool Has(string type) => Spec.Linux?.Namespaces?.Any(n => n.Type == type) == true;
}

/// <summary>
/// Builds the container's root inside its new mount namespace. The init calls, in this order:
/// <list type="number">
/// <item><see cref="MountAll"/>, before pivot_root: "/" made rslave (or linux.rootfsPropagation), the mount
/// holding the rootfs made private if shared, the rootfs bound on itself, every config.mounts entry, and
/// when /dev is not a bind mount the device nodes (standard ones and linux.devices) and the /dev symlinks.</item>
/// <item>then the runtime runs the prestart and createRuntime hooks, and the init the createContainer hooks
/// (runtime-spec: after the mounts, before pivot_root, in the container's namespaces).</item>
/// <item><see cref="SwitchRoot"/>: pivot_root(".", ".") with the old root made rslave and detached; with
/// <see cref="RootfsRequest.NoPivot"/> the host's proc and sysfs mounts are detached (or covered), and
/// the root is moved onto / and chroot'ed into.</item>
/// <item>with process.terminal, <see cref="MountConsole"/>: the pty on /dev/console.</item>
/// <item><see cref="Finish"/>, inside the new root: linux.rootfsPropagation on "/", linux.sysctl,
/// readonlyPaths, maskedPaths, a read-only /dev when asked, and root.readonly.</item>
/// </list>
/// Every destination is resolved inside the root by the kernel and every mount made on the resulting
/// descriptor (<see cref="IMountKernel"/>): a symbolic link in the image, or one swapped in while this
/// runs, never takes a mount, a device node or a write outside the root.
/// </summary>
public sealed class RootfsSetup : IDisposable
{
    private static readonly string[] LxcfsProcFiles =
    [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime", "/proc/loadavg",
        "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    ];

    private readonly IMountKernel _kernel;
    private readonly RootfsRequest _request;
    private Node? _root;
    private bool _readOnlyDev;
    private int _step;

    public RootfsSetup(IMountKernel kernel, RootfsRequest request)
    {
        _kernel = kernel;
        _request = request;
    }

    private Spec Spec => _request.Spec;

    /// <summary>The three steps in a row, for an init without hooks to run between them.</summary>
    public static void Run(IMountKernel kernel, RootfsRequest request)
    {
        using var setup = new RootfsSetup(kernel, request);
        setup.MountAll();
        setup.SwitchRoot();
        setup.Finish();
    }

    private void Step(int expected, string name)
    {
        if (_step != expected) throw new InvalidOperationException($"rootfs: {name} called out of order");
        _step++;
    }

    /// <summary>Step 1: the mounts and devices, before pivot_root.</summary>
    public void MountAll()
    {
        Step(0, nameof(MountAll));
        ulong propagation = MountOptions.ParsePropagation(Spec.Linux?.RootfsPropagation) ?? (MS_SLAVE | MS_REC);
        using (var slash = _kernel.Open("/") ?? throw new RuntimeException("cannot open /"))
            _kernel.SetPropagation(slash, propagation);
        using var rootfs = _kernel.Open(_request.Rootfs) ?? throw new RuntimeException($"root.path {_request.Rootfs} does not exist");
        if (rootfs.Kind != NodeKind.Directory) throw new RuntimeException($"root.path {_request.Rootfs} is not a directory");
        MakeParentPrivate();
        _root = _kernel.Bind(rootfs, rootfs, recursive: true).Named("/");

        var mounts = Spec.Mounts ?? [];
        for (int i = 0; i < mounts.Count; i++) MountOne(i, mounts[i]);

        if (!mounts.Any(m => Clean(m.Destination) == "/dev" && IsBind(m)))
        {
            bool kcore;
            using (var k = _kernel.Open("/proc/kcore")) kcore = k is not null;
            DeviceSetup.Populate(_kernel, _root, Spec.Linux?.Devices, _request.InUserNamespace, kcore);
        }
    }

    /// <summary>Step 2: into the new root.</summary>
    public void SwitchRoot()
    {
        Step(1, nameof(SwitchRoot));
        var root = _root!;
        if (_request.NoPivot)
        {
            DetachHostProcAndSys();
            _kernel.MoveRoot(root);
        }
        else
        {
            _kernel.PivotRoot(root);
        }
        root.Dispose();
        _root = null;
    }

    /// <summary>Step 3: what is done inside the new root.</summary>
    public void Finish()
    {
        Step(2, nameof(Finish));
        using var root = _kernel.Open("/") ?? throw new RuntimeException("cannot open the new /");
        if (MountOptions.ParsePropagation(Spec.Linux?.RootfsPropagation) is ulong propagation) _kernel.SetPropagation(root, propagation);
        Sysctl.Apply(_kernel, root, Spec);
        foreach (string path in Spec.Linux?.ReadonlyPaths ?? []) ReadOnly(root, path);
        Node? devNull = null;
        try
        {
            foreach (string path in Spec.Linux?.MaskedPaths ?? []) Mask(root, path, ref devNull);
        }
        finally
        {
            devNull?.Dispose();
        }
        if (_readOnlyDev)
        {
            using var dev = _kernel.Resolve(root, "/dev", Create.Nothing);
            if (dev is not null) _kernel.AddFlags(dev, MS_RDONLY);
        }
        if (Spec.Root?.Readonly == true) _kernel.AddFlags(root, MS_RDONLY);
    }

    /// <summary>
    /// process.terminal: the pty's secondary end (the init opened it) bound on /dev/console, as runc does;
    /// after <see cref="SwitchRoot"/>. What the image has at /dev/console is replaced, never followed.
    /// </summary>
    public void MountConsole(Node ptySecondary)
    {
        if (_step < 2) throw new InvalidOperationException("rootfs: MountConsole before SwitchRoot");
        using var root = _kernel.Open("/") ?? throw new RuntimeException("cannot open the new /");
        using var dev = _kernel.Resolve(root, "/dev", Create.Directory) ?? throw new RuntimeException("cannot create /dev");
        using var console = _kernel.CreateFile(dev, "console");
        using var mount = _kernel.Bind(ptySecondary, console, recursive: false);
    }

    public void Dispose()
    {
        _root?.Dispose();
        _root = null;
    }

    /// <summary>pivot_root refuses a new root whose parent mount is shared (linux.rootfsPropagation shared), as binds from it would propagate out.</summary>
    private void MakeParentPrivate()
    {
        string? text = _kernel.ReadFile("/proc/self/mountinfo");
        if (text is null) return;
        string path = _request.Rootfs.TrimEnd('/');
        var parent = MountInfo.Parse(text)
            .Where(m => path == m.MountPoint.TrimEnd('/') || path.StartsWith(m.MountPoint.TrimEnd('/') + "/", StringComparison.Ordinal) || m.MountPoint == "/")
            .OrderByDescending(m => m.MountPoint.Length).FirstOrDefault();
        if (parent is null || !parent.Optional.Any(o => o.StartsWith("shared:", StringComparison.Ordinal))) return;
        using var mount = _kernel.Open(parent.MountPoint);
        if (mount is not null) _kernel.SetPropagation(mount, MS_PRIVATE);
    }

    private static bool IsBind(Mount m) => m.Type == "bind" || MountOptions.Parse(m.Options).Bind;

    /// <summary>A container path made absolute and lexically clean, for comparisons (resolution uses the path as given).</summary>
    public static string Clean(string path) => Skiff.Interop.RootedPath.Clean(path);

    private Node Target(string dest, Create create) =>
        _kernel.Resolve(_root!, dest, create) ?? throw new RuntimeException($"mount destination {dest} could not be created");

    private void MountOne(int index, Mount m)
    {
        string dest = m.Destination.StartsWith('/') ? m.Destination : "/" + m.Destination; // runtime-spec: relative means relative to /
        var o = MountOptions.Parse(m.Options);
        string type = m.Type ?? "";
        Node? mount;
        if (o.Bind || type == "bind")
        {
            mount = BindMount(index, m, dest, o);
        }
        else
        {
            if (o.Idmap) throw new RuntimeException($"mount on {dest}: idmap and ridmap apply to bind mounts only");
            if (o.TmpCopyUp && type != "tmpfs") throw new RuntimeException($"mount on {dest}: tmpcopyup applies to tmpfs mounts only");
            if (type.Length == 0 || type == "none") throw new RuntimeException($"mount on {dest} has no type");
            mount = type switch
            {
                "sysfs" => Sysfs(m, dest, o),
                "mqueue" => Mqueue(m, dest, o),
                "devpts" => Devpts(m, dest, o),
                "cgroup" or "cgroup2" => Cgroup(dest, o),
                "tmpfs" => Tmpfs(m, dest, o),
                _ => Filesystem(m, type, dest, o),
            };
        }
        using (mount)
        {
            foreach (ulong p in o.Propagation) _kernel.SetPropagation(mount, p);
            if (o.RecursiveSet != 0 || o.RecursiveClear != 0) _kernel.SetRecursiveAttributes(mount, o.RecursiveSet, o.RecursiveClear);
        }
    }

    private Node BindMount(int index, Mount m, string dest, MountOptions o)
    {
        if (o.Data.Count > 0) throw new RuntimeException($"mount on {dest}: unknown option{(o.Data.Count > 1 ? "s" : "")} {string.Join(", ", o.Data)}");
        if (o.TmpCopyUp) throw new RuntimeException($"mount on {dest}: tmpcopyup applies to tmpfs mounts only");
        Node? prepared = null;
        _request.PreparedMounts?.TryGetValue(index, out prepared);
        using var source = prepared is null ? OpenSource(m, dest) : null;
        var kind = (source ?? prepared!).Kind;
        using var target = Target(dest, kind == NodeKind.Directory ? Create.Directory : Create.File);
        CheckProc(dest, target, source ?? prepared);
        Node mount;
        if (prepared is not null) mount = _kernel.Attach(prepared, target);
        else if (o.Idmap) mount = _kernel.Attach(IdmappedMounts.Make(_kernel, m, dest, source!, o), target);
        else mount = _kernel.Bind(source!, target, o.Recursive);
        if ((o.Flags & MountOptions.PerMountFlags) != 0) _kernel.SetFlags(mount, o.Flags & MountOptions.PerMountFlags);
        return mount;
    }

    private Node OpenSource(Mount m, string dest)
    {
        if (string.IsNullOrEmpty(m.Source)) throw new RuntimeException($"bind mount on {dest} has no source");
        string source = Path.IsPathRooted(m.Source) || _request.Bundle is null ? m.Source : Path.Combine(_request.Bundle, m.Source);
        return _kernel.Open(source) ?? throw new RuntimeException($"bind mount source {source} does not exist");
    }

    /// <summary>
    /// Nothing but proc goes on /proc or inside it (runc's rule, CVE-2019-16884: a bind over /proc/self/attr
    /// would blind the LSM), except the files lxcfs emulates. Judged on where the destination resolved to.
    /// </summary>
    private void CheckProc(string dest, Node target, Node? bindSource)
    {
        string clean = Clean(dest);
        bool sourceIsProc = bindSource is not null && _kernel.FilesystemType(bindSource) == PROC_SUPER_MAGIC;
        if (clean == "/proc")
        {
            if (!sourceIsProc) throw new RuntimeException($"{dest} cannot be mounted because it is not of type proc");
            return;
        }
        if (_kernel.FilesystemType(target) == PROC_SUPER_MAGIC && !LxcfsProcFiles.Contains(clean))
            throw new RuntimeException($"{dest} cannot be mounted because it is inside /proc");
    }

    private Node Filesystem(Mount m, string type, string dest, MountOptions o)
    {
        using var target = Target(dest, Create.Directory);
        if (type != "proc") CheckProc(dest, target, null);
        return _kernel.MountFilesystem(new FilesystemMount(type, m.Source ?? type, o.Data, DeferReadOnlyDev(dest, o.Flags)), target);
    }

    /// <summary>A read-only /dev gets its device nodes first: read-only in <see cref="Finish"/>.</summary>
    private ulong DeferReadOnlyDev(string dest, ulong flags)
    {
        if (Clean(dest) != "/dev" || (flags & MS_RDONLY) == 0) return flags;
        _readOnlyDev = true;
        return flags & ~MS_RDONLY;
    }

    private Node Tmpfs(Mount m, string dest, MountOptions o)
    {
        using var target = Target(dest, Create.Directory);
        CheckProc(dest, target, null);
        ulong flags = DeferReadOnlyDev(dest, o.Flags);
        bool copyUp = o.TmpCopyUp;
        var mount = _kernel.MountFilesystem(new FilesystemMount("tmpfs", m.Source ?? "tmpfs", o.Data, copyUp ? flags & ~MS_RDONLY : flags), target);
        if (!copyUp) return mount;
        // The target's descriptor still names the directory the tmpfs now covers: its contents are copied from there.
        _kernel.CopyTree(target, mount, copyRootAttributes: !o.Data.Any(d => d.StartsWith("mode=", StringComparison.Ordinal)));
        if ((flags & MS_RDONLY) != 0) _kernel.AddFlags(mount, MS_RDONLY);
        return mount;
    }

    private Node Sysfs(Mount m, string dest, MountOptions o)
    {
        using var target = Target(dest, Create.Directory);
        CheckProc(dest, target, null);
        // sysfs shows the network namespace it is mounted in: a user namespace may mount only its own.
        if (_request.InUserNamespace && !_request.Has("network")) return BindHost("/sys", target, recursive: true, o.Flags | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        try { return _kernel.MountFilesystem(new FilesystemMount("sysfs", m.Source ?? "sysfs", o.Data, o.Flags), target); }
        catch (ErrnoException e) when (e.Errno is Errno.EPERM or Errno.EACCES)
        {
            return BindHost("/sys", target, recursive: true, o.Flags | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        }
    }

    private Node Mqueue(Mount m, string dest, MountOptions o)
    {
        using var target = Target(dest, Create.Directory);
        CheckProc(dest, target, null);
        try { return _kernel.MountFilesystem(new FilesystemMount("mqueue", m.Source ?? "mqueue", o.Data, o.Flags), target); }
        catch (ErrnoException e) when (e.Errno is Errno.EPERM or Errno.EACCES)
        {
            // An ipc namespace this user namespace does not own: the host's queue filesystem, as runc does.
            return BindHost("/dev/mqueue", target, recursive: false, o.Flags);
        }
    }

    private Node Devpts(Mount m, string dest, MountOptions o)
    {
        using var target = Target(dest, Create.Directory);
        CheckProc(dest, target, null);
        try { return _kernel.MountFilesystem(new FilesystemMount("devpts", m.Source ?? "devpts", o.Data, o.Flags), target); }
        catch (ErrnoException) when (o.Data.Any(d => d.StartsWith("gid=", StringComparison.Ordinal)))
        {
            // In a user namespace gid 5 (tty) may not be mapped: without it, as runc and crun do.
            var data = o.Data.Where(d => !d.StartsWith("gid=", StringComparison.Ordinal)).ToList();
            return _kernel.MountFilesystem(new FilesystemMount("devpts", m.Source ?? "devpts", data, o.Flags), target);
        }
    }

    private Node BindHost(string hostPath, Node target, bool recursive, ulong flags)
    {
        using var source = _kernel.Open(hostPath) ?? throw new RuntimeException($"{hostPath} does not exist on the host");
        var mount = _kernel.Bind(source, target, recursive);
        if ((flags & MountOptions.PerMountFlags) != 0) _kernel.SetFlags(mount, flags & MountOptions.PerMountFlags);
        return mount;
    }

    /// <summary>
    /// cgroup v2: a cgroup2 filesystem (its root is the container's cgroup when it has a cgroup namespace);
    /// where that is refused, a bind of the init's own cgroup. v1 and hybrid: a tmpfs, then in it one entry
    /// per hierarchy of the init's cgroup: fresh with a cgroup namespace, otherwise a bind of the init's own
    /// cgroup directory; "unified" on a hybrid host; links for merged controllers; the tmpfs read-only last.
    /// </summary>
    private Node Cgroup(string dest, MountOptions o)
    {
        var plan = CgroupPlan.Read(_kernel.ReadFile("/proc/self/cgroup") ?? "", _kernel.ReadFile("/proc/self/mountinfo") ?? "");
        ulong flags = o.Flags & MountOptions.PerMountFlags;
        bool ownNamespace = _request.Has("cgroup");
        using var target = Target(dest, Create.Directory);
        CheckProc(dest, target, null);
        if (plan.Mode == CgroupMode.V2) return CgroupHierarchyMount(target, plan.Unified!, "cgroup2", flags, ownNamespace || !_request.InUserNamespace);

        var tmpfs = _kernel.MountFilesystem(new FilesystemMount("tmpfs", "tmpfs", ["mode=755"], MS_NOSUID | MS_NODEV | MS_NOEXEC), target);
        try
        {
            var all = plan.Hierarchies.Select(h => (h, "cgroup")).ToList();
            if (plan is { Mode: CgroupMode.Hybrid, Unified: { } u }) all.Add((u, "cgroup2"));
            foreach (var (h, type) in all)
            {
                using var dir = _kernel.Resolve(tmpfs, h.Name, Create.Directory) ?? throw new RuntimeException($"cannot create {dest}/{h.Name}");
                using var mount = CgroupHierarchyMount(dir, h, type, flags, ownNamespace);
                foreach (ulong p in o.Propagation) _kernel.SetPropagation(mount, p);
            }
            foreach (var (link, linkTarget) in plan.Symlinks) _kernel.Symlink(tmpfs, link, linkTarget, replace: false);
            if ((flags & MS_RDONLY) != 0) _kernel.AddFlags(tmpfs, MS_RDONLY);
            return tmpfs;
        }
        catch
        {
            tmpfs.Dispose();
            throw;
        }
    }

    private Node CgroupHierarchyMount(Node target, CgroupHierarchy h, string type, ulong flags, bool fresh)
    {
        if (fresh)
        {
            var data = h.Controllers.Split(',', StringSplitOptions.RemoveEmptyEntries);
            try { return _kernel.MountFilesystem(new FilesystemMount(type, type == "cgroup2" ? "cgroup2" : "cgroup", data, flags), target); }
            catch (ErrnoException e) when (e.Errno is Errno.EPERM or Errno.EBUSY or Errno.EACCES) { }
        }
        if (h.HostSource is null) throw new RuntimeException($"cannot find the host directory of this process's cgroup for {target.Path}");
        return BindHost(h.HostSource, target, recursive: true, flags);
    }

    /// <summary>--no-pivot: the host's proc and sysfs mounts stay reachable after chroot, and the kernel judges a new proc mount against all of them: detach them (or cover them where that is refused).</summary>
    private void DetachHostProcAndSys()
    {
        string rootfs = _request.Rootfs.TrimEnd('/');
        var mounts = MountInfo.Parse(_kernel.ReadFile("/proc/self/mountinfo") ?? "")
            .Where(m => m.FsType is "proc" or "sysfs")
            .Where(m => m.MountPoint != rootfs && !m.MountPoint.StartsWith(rootfs + "/", StringComparison.Ordinal))
            .OrderBy(m => m.FsType == "proc" ? 1 : 0) // proc last: a kernel without the new mount API reaches mounts through /proc/self/fd
            .ToList();
        foreach (var m in mounts)
        {
            using var node = _kernel.Open(m.MountPoint);
            if (node is null) continue; // below one detached already
            _kernel.SetPropagation(node, MS_SLAVE | MS_REC);
            int errno = _kernel.Detach(m.MountPoint);
            if (errno == 0) continue;
            if (errno is not Errno.EINVAL and not Errno.EPERM) throw new ErrnoException($"detach {m.MountPoint}", errno);
            using var cover = _kernel.MountFilesystem(new FilesystemMount("tmpfs", "tmpfs", [], 0), node);
        }
    }

    private void ReadOnly(Node root, string path)
    {
        using var node = _kernel.Resolve(root, path, Create.Nothing);
        if (node is null) return;
        using var mount = _kernel.Bind(node, node, recursive: true);
        _kernel.AddFlags(mount, MS_RDONLY);
    }

    private void Mask(Node root, string path, ref Node? devNull)
    {
        using var node = _kernel.Resolve(root, path, Create.Nothing);
        if (node is null) return;
        if (node.Kind == NodeKind.Directory)
        {
            using var tmpfs = _kernel.MountFilesystem(new FilesystemMount("tmpfs", "tmpfs", [], MS_RDONLY), node);
            return;
        }
        devNull ??= NullDevice(root);
        using var mount = _kernel.Bind(devNull, node, recursive: false);
    }

    /// <summary>The container's /dev/null, checked to be the null device (1:3) before it is bound over masked files.</summary>
    private Node NullDevice(Node root)
    {
        var node = _kernel.Resolve(root, "/dev/null", Create.Nothing, followLast: false);
        if (node is not null && _kernel.DeviceOf(node) == (1u, 3u)) return node;
        node?.Dispose();
        throw new RuntimeException("maskedPaths: /dev/null in the container is not the null device");
    }
}
