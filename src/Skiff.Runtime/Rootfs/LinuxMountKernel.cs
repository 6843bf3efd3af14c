using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Lifecycle;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// <see cref="IMountKernel"/> on Linux. Every mount goes to a descriptor: with the new mount API (Linux
/// 5.2: open_tree, move_mount, fsopen/fsconfig/fsmount; 5.12: mount_setattr) from descriptor to
/// descriptor; on older kernels (or where a seccomp filter hides those calls) through mount(2) on
/// "/proc/self/fd/N", as runc does, which needs a /proc (the host's before pivot_root, the container's
/// after). The probes run once, at construction.
/// </summary>
public sealed class LinuxMountKernel : IMountKernel
{
    private const int ENODEV = 19;
    private readonly bool _openat2;
    private readonly bool _newApi;
    private readonly bool _setattr;

    public LinuxMountKernel() : this(ProbeOpenat2(), ProbeNewMountApi(), ProbeMountSetattr()) { }

    /// <summary>With chosen interfaces turned off: tests use it to drive the fallbacks of older kernels.</summary>
    public LinuxMountKernel(bool openat2, bool newMountApi, bool mountSetattr)
    {
        _openat2 = openat2;
        _newApi = newMountApi;
        _setattr = mountSetattr;
    }

    /// <summary>Which kernel interfaces this kernel offers (for messages and tests).</summary>
    public string Capabilities => $"openat2={_openat2} new-mount-api={_newApi} mount_setattr={_setattr}";

    private static bool ProbeOpenat2()
    {
        int fd = OpenAt2(AT_FDCWD, "/", O_PATH, 0);
        if (fd < 0) return false;
        Close(fd);
        return true;
    }

    private static bool ProbeNewMountApi()
    {
        int fd = OpenTree(AT_FDCWD, "/", OPEN_TREE_CLOEXEC);
        if (fd < 0) return false;
        Close(fd);
        return true;
    }

    // With nothing to set, mount_setattr returns 0 before it looks at the path: ENOSYS (or a seccomp EPERM) otherwise.
    private static bool ProbeMountSetattr() => MountSetattr(-1, "", AT_EMPTY_PATH, default) == 0;

    private static int Fd(Node node) => node.Fd?.Fd ?? throw new InvalidOperationException($"{node.Path}: no descriptor");

    private static string ProcPath(Node node) => $"/proc/self/fd/{Fd(node)}";

    private static ErrnoException Error(string what) => new(what, Marshal.GetLastPInvokeError());

    public Node? Open(string path)
    {
        int fd = OpenAt(AT_FDCWD, path, O_PATH);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Errno.ENOENT or Errno.ENOTDIR) return null;
            throw new ErrnoException($"open {path}", errno);
        }
        var handle = new SafeFd(fd);
        return new Node(path, InRootResolver.KindOf(fd), handle);
    }

    public Node? Resolve(Node root, string path, Create create, bool followLast = true)
    {
        var fd = InRootResolver.Resolve(Fd(root), path, create, followLast, _openat2);
        if (fd is null) return null;
        return new Node(Join(root.Path, path), InRootResolver.KindOf(fd.Fd), fd) { ResolvedIn = (root, path) };
    }

    private static string Join(string root, string path)
    {
        string p = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        return root is "/" or "" ? p : p == "/" ? root : root + p;
    }

    /// <summary>After mount(2) through /proc/self/fd/N the descriptor still names the covered directory: the new mount is found by resolving the same path again.</summary>
    private Node Reopen(Node target)
    {
        var node = target.ResolvedIn is var (root, path) ? Resolve(root, path, Create.Nothing) : Open(target.Path);
        return node ?? throw new RuntimeException($"{target.Path}: disappeared while it was mounted on");
    }

    public Node Bind(Node source, Node target, bool recursive)
    {
        if (_newApi)
        {
            var tree = CloneTree(source, recursive);
            return Attach(tree, target);
        }
        if (Mount(ProcPath(source), ProcPath(target), null, MS_BIND | (recursive ? MS_REC : 0), null) != 0)
            throw Error($"bind {source.Path} on {target.Path}");
        return Reopen(target);
    }

    public Node CloneTree(Node source, bool recursive)
    {
        if (!_newApi) throw new RuntimeException($"{source.Path}: idmapped mounts need the new mount API (Linux 5.12)");
        int fd = OpenTree(Fd(source), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
        if (fd < 0) throw Error($"bind {source.Path}");
        return new Node(source.Path, source.Kind, new SafeFd(fd));
    }

    public Node Attach(Node tree, Node target)
    {
        if (MoveMount(Fd(tree), "", Fd(target), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
            throw Error($"bind {tree.Path} on {target.Path}");
        return new Node(target.Path, tree.Kind, tree.Fd) { ResolvedIn = target.ResolvedIn };
    }

    public void SetIdmap(Node tree, Node userNamespace, bool recursive)
    {
        if (!_setattr) throw new RuntimeException($"{tree.Path}: idmapped mounts need mount_setattr (Linux 5.12)");
        var attr = new MountAttr { AttrSet = MOUNT_ATTR_IDMAP, UsernsFd = (ulong)Fd(userNamespace) };
        if (MountSetattr(Fd(tree), "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attr) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string hint = errno == Errno.EINVAL ? " (the filesystem may not support idmapped mounts)" : "";
            throw new RuntimeException($"idmap {tree.Path}: {StrError(errno)}{hint}");
        }
    }

    public Node UserNamespace(IReadOnlyList<IdMapping> uidMappings, IReadOnlyList<IdMapping> gidMappings)
    {
        string self = Environment.ProcessPath ?? "/proc/self/exe";
        // A child that never runs: it only holds a user namespace while its maps are written and the namespace opened.
        using var child = CloneChild.Start(new CloneStartInfo { Path = self, Args = ["idmap-holder"], Env = [], NamespaceFlags = CloneFlags.NewUser });
        string pid = child.Pid.ToString(CultureInfo.InvariantCulture);
        // The init runs in the container's pid namespace, where /proc (the host's) names other processes:
        // a procfs of this process's own pid namespace, never attached anywhere, finds the child.
        using var proc = OwnProc();
        if (proc is null) IdMapWriter.Write(child.Pid, uidMappings, gidMappings);
        else
        {
            WriteMap(proc.Fd, $"{pid}/uid_map", IdMapWriter.Format(uidMappings));
            WriteMap(proc.Fd, $"{pid}/gid_map", IdMapWriter.Format(gidMappings));
        }
        string ns = $"{pid}/ns/user";
        int fd = OpenAt(proc?.Fd ?? AT_FDCWD, proc is null ? "/proc/" + ns : ns, O_RDONLY);
        if (fd < 0) throw Error($"open /proc/{ns}");
        return new Node("user namespace", NodeKind.Other, new SafeFd(fd));
    }

    private SafeFd? OwnProc()
    {
        if (!_newApi) return null;
        int fsfd = FsOpen("proc", FSOPEN_CLOEXEC);
        if (fsfd < 0) return null;
        using var context = new SafeFd(fsfd);
        if (FsConfig(fsfd, FSCONFIG_CMD_CREATE, null, null) != 0) return null; // not privileged over this pid namespace
        int mfd = FsMount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        return mfd < 0 ? null : new SafeFd(mfd);
    }

    private static void WriteMap(int proc, string path, string map)
    {
        int fd = OpenAt(proc, path, O_WRONLY);
        if (fd < 0) throw Error($"open /proc/{path}");
        using var handle = new SafeFd(fd);
        try { WriteAll(fd, Encoding.ASCII.GetBytes(map)); }
        catch (ErrnoException e) { throw new RuntimeException($"writing /proc/{path}: {StrError(e.Errno)}"); }
    }

    public Node MountFilesystem(FilesystemMount fs, Node target)
    {
        string what = $"mount {fs.Source ?? fs.Type} on {target.Path} (type {fs.Type})";
        // fsconfig takes values up to 256 bytes: longer ones (overlay's lowerdir) go through mount(2).
        if (_newApi && fs.Data.All(o => Encoding.UTF8.GetByteCount(o) < 256)) return MountFilesystemNew(fs, target, what);
        string data = string.Join(',', fs.Data);
        if (Mount(fs.Source ?? fs.Type, ProcPath(target), fs.Type, fs.Flags, data.Length == 0 ? null : data) != 0) throw Error(what);
        return Reopen(target);
    }

    private static Node MountFilesystemNew(FilesystemMount fs, Node target, string what)
    {
        int fsfd = FsOpen(fs.Type, FSOPEN_CLOEXEC);
        if (fsfd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ENODEV) throw new RuntimeException($"{what}: the kernel has no filesystem of type {fs.Type}");
            throw new ErrnoException(what, errno);
        }
        using var context = new SafeFd(fsfd);
        if (fs.Source is not null) Configure(fsfd, FSCONFIG_SET_STRING, "source", fs.Source, what);
        foreach (var (flag, name) in SuperblockFlags)
            if ((fs.Flags & flag) != 0) Configure(fsfd, FSCONFIG_SET_FLAG, name, null, what);
        foreach (string option in fs.Data)
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) Configure(fsfd, FSCONFIG_SET_FLAG, option, null, what);
            else Configure(fsfd, FSCONFIG_SET_STRING, option[..eq], option[(eq + 1)..], what);
        }
        if (FsConfig(fsfd, FSCONFIG_CMD_CREATE, null, null) != 0) throw ContextError(fsfd, what, null);
        int mfd = FsMount(fsfd, FSMOUNT_CLOEXEC, ToAttributes(fs.Flags));
        if (mfd < 0) throw ContextError(fsfd, what, null);
        var mount = new SafeFd(mfd);
        if (MoveMount(mfd, "", Fd(target), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        {
            var e = Error(what);
            mount.Dispose();
            throw e;
        }
        return new Node(target.Path, NodeKind.Directory, mount) { ResolvedIn = target.ResolvedIn };
    }

    private static readonly (ulong Flag, string Name)[] SuperblockFlags =
        [(MS_RDONLY, "ro"), (MS_SYNCHRONOUS, "sync"), (MS_DIRSYNC, "dirsync"), (MS_MANDLOCK, "mand"), (MS_LAZYTIME, "lazytime")];

    private static void Configure(int fsfd, uint cmd, string key, string? value, string what)
    {
        if (FsConfig(fsfd, cmd, key, value) != 0) throw ContextError(fsfd, what, value is null ? key : $"{key}={value}");
    }

    /// <summary>The failure of a filesystem context, with the option it refused and the filesystem's own message ("devpts: Invalid gid '5'").</summary>
    private static ErrnoException ContextError(int fsfd, string what, string? option)
    {
        int errno = Marshal.GetLastPInvokeError();
        string log = FsContextMessages(fsfd);
        var detail = new List<string>();
        if (option is not null) detail.Add($"option {option}");
        if (log.Length > 0) detail.Add(log);
        return new ErrnoException(detail.Count == 0 ? what : $"{what} ({string.Join("; ", detail)})", errno);
    }

    /// <summary>MS_* per-mount flags as MOUNT_ATTR_* (the atime mode is a value: relatime is 0).</summary>
    internal static ulong ToAttributes(ulong flags)
    {
        ulong attr = 0;
        if ((flags & MS_RDONLY) != 0) attr |= MOUNT_ATTR_RDONLY;
        if ((flags & MS_NOSUID) != 0) attr |= MOUNT_ATTR_NOSUID;
        if ((flags & MS_NODEV) != 0) attr |= MOUNT_ATTR_NODEV;
        if ((flags & MS_NOEXEC) != 0) attr |= MOUNT_ATTR_NOEXEC;
        if ((flags & MS_NODIRATIME) != 0) attr |= MOUNT_ATTR_NODIRATIME;
        if ((flags & MS_NOSYMFOLLOW) != 0) attr |= MOUNT_ATTR_NOSYMFOLLOW;
        if ((flags & MS_NOATIME) != 0) attr |= MOUNT_ATTR_NOATIME;
        else if ((flags & MS_STRICTATIME) != 0) attr |= MOUNT_ATTR_STRICTATIME;
        return attr;
    }

    /// <summary>The ST_* flags of statfs as MS_* flags (absent relatime and noatime: strictatime).</summary>
    private static ulong FromStatfs(ulong st)
    {
        ulong flags = 0;
        if ((st & ST_RDONLY) != 0) flags |= MS_RDONLY;
        if ((st & ST_NOSUID) != 0) flags |= MS_NOSUID;
        if ((st & ST_NODEV) != 0) flags |= MS_NODEV;
        if ((st & ST_NOEXEC) != 0) flags |= MS_NOEXEC;
        if ((st & ST_NODIRATIME) != 0) flags |= MS_NODIRATIME;
        if ((st & ST_NOSYMFOLLOW) != 0) flags |= MS_NOSYMFOLLOW;
        if ((st & ST_NOATIME) != 0) flags |= MS_NOATIME;
        else if ((st & ST_RELATIME) != 0) flags |= MS_RELATIME;
        else flags |= MS_STRICTATIME;
        return flags;
    }

    private static ulong CurrentFlags(Node mount)
    {
        if (Fstatfs(Fd(mount), out _, out ulong st) != 0) throw Error($"statfs {mount.Path}");
        return FromStatfs(st);
    }

    private const ulong AtimeMask = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
    private const ulong ST_NOSYMFOLLOW = 0x2000;

    public void SetFlags(Node mount, ulong flags)
    {
        flags &= MountOptions.PerMountFlags;
        if (TrySetFlags(mount, flags) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno != Errno.EPERM) throw new ErrnoException($"remount {mount.Path} {MountOptions.Describe(flags)}", errno);
        // In a user namespace the flags of a mount from a more privileged one are locked (ro, nosuid, nodev,
        // noexec, the atime mode): keep those it has, as runc does.
        ulong current = CurrentFlags(mount);
        ulong retry = flags | (current & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME));
        retry = (retry & ~AtimeMask) | (current & AtimeMask);
        if (TrySetFlags(mount, retry) != 0) throw Error($"remount {mount.Path} {MountOptions.Describe(flags)}");
    }

    private int TrySetFlags(Node mount, ulong flags)
    {
        if (!_setattr) return Mount(null, ProcPath(mount), null, MS_BIND | MS_REMOUNT | flags, null);
        var attr = new MountAttr
        {
            AttrSet = ToAttributes(flags),
            AttrClr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME |
                MOUNT_ATTR_NOSYMFOLLOW,
        };
        return MountSetattr(Fd(mount), "", AT_EMPTY_PATH, attr);
    }

    public void AddFlags(Node mount, ulong flags)
    {
        int r = _setattr
            ? MountSetattr(Fd(mount), "", AT_EMPTY_PATH, new MountAttr { AttrSet = ToAttributes(flags & ~AtimeMask) })
            : Mount(null, ProcPath(mount), null, MS_BIND | MS_REMOUNT | CurrentFlags(mount) | flags, null);
        if (r != 0) throw Error($"remount {mount.Path} {MountOptions.Describe(flags)}");
    }

    public void SetRecursiveAttributes(Node mount, ulong set, ulong clear)
    {
        if (!_setattr) throw new RuntimeException($"{mount.Path}: recursive mount options (rro, rnosuid...) need mount_setattr (Linux 5.12)");
        if (MountSetattr(Fd(mount), "", AT_EMPTY_PATH | AT_RECURSIVE, new MountAttr { AttrSet = set, AttrClr = clear }) != 0)
            throw Error($"recursive mount options on {mount.Path}");
    }

    public void SetPropagation(Node mount, ulong propagation)
    {
        bool recursive = (propagation & MS_REC) != 0;
        int r = _setattr
            ? MountSetattr(Fd(mount), "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), new MountAttr { Propagation = propagation & ~MS_REC })
            : Mount(null, ProcPath(mount), null, propagation, null);
        if (r != 0) throw Error($"make {mount.Path} {MountOptions.Describe(propagation)}");
    }

    public void CopyTree(Node from, Node to, bool copyRootAttributes) => TreeCopy.Copy(Fd(from), Fd(to), from.Path, copyRootAttributes);

    public void MakeNode(Node dir, string name, uint mode, ulong device, uint uid, uint gid)
    {
        string path = Join(dir.Path, name);
        Replace(dir, name, path);
        uint old = Umask(0);
        int r = MknodAt(Fd(dir), name, mode, device);
        Umask(old);
        if (r != 0) throw Error($"mknod {path}");
        if (FchownAt(Fd(dir), name, (int)uid, (int)gid, AT_SYMLINK_NOFOLLOW) != 0) throw Error($"chown {path}");
    }

    public Node CreateFile(Node dir, string name)
    {
        string path = Join(dir.Path, name);
        Replace(dir, name, path);
        int fd = OpenAt(Fd(dir), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0x1a4);
        if (fd < 0) throw Error($"create {path}");
        Close(fd);
        fd = OpenAt(Fd(dir), name, O_PATH | O_NOFOLLOW);
        if (fd < 0) throw Error($"open {path}");
        return new Node(path, NodeKind.File, new SafeFd(fd));
    }

    /// <summary>Removes what <paramref name="name"/> is (a file, a device, a symbolic link: never followed); a directory is an error.</summary>
    private static void Replace(Node dir, string name, string path)
    {
        if (Statx(Fd(dir), name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, out var st) != 0) return;
        if ((st.Mode & S_IFMT) == S_IFDIR) throw new RuntimeException($"{path} is a directory");
        if (UnlinkAt(Fd(dir), name, 0) != 0 && Marshal.GetLastPInvokeError() != Errno.ENOENT) throw Error($"remove {path}");
    }

    public void Symlink(Node dir, string name, string target, bool replace)
    {
        string path = Join(dir.Path, name);
        if (replace) Replace(dir, name, path);
        if (SymlinkAt(target, Fd(dir), name) != 0 && Marshal.GetLastPInvokeError() != Errno.EEXIST) throw Error($"symlink {path}");
    }

    public long FilesystemType(Node node)
    {
        if (Fstatfs(Fd(node), out long type, out _) != 0) throw Error($"statfs {node.Path}");
        return type;
    }

    public (uint Major, uint Minor)? DeviceOf(Node node)
    {
        if (Statx(Fd(node), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE, out var st) != 0) throw Error($"stat {node.Path}");
        return (st.Mode & S_IFMT) is S_IFCHR or S_IFBLK ? (st.RdevMajor, st.RdevMinor) : null;
    }

    public void WriteBeneath(Node dir, string relative, string value)
    {
        string path = Join(dir.Path, relative);
        int fd;
        if (_openat2)
        {
            fd = OpenAt2(Fd(dir), relative, O_WRONLY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
        }
        else
        {
            // Component by component, never following a link and never going up.
            string[] parts = relative.Split('/');
            if (parts.Any(p => p is "" or "." or "..")) throw new RuntimeException($"{path}: not a plain path");
            var current = new SafeFd(Fcntl(Fd(dir), F_DUPFD_CLOEXEC, 0));
            for (int i = 0; i < parts.Length - 1; i++)
            {
                int next = OpenAt(current.Fd, parts[i], O_PATH | O_NOFOLLOW | O_DIRECTORY);
                current.Dispose();
                if (next < 0) throw Error($"open {path}");
                current = new SafeFd(next);
            }
            fd = OpenAt(current.Fd, parts[^1], O_WRONLY | O_NOFOLLOW);
            current.Dispose();
        }
        if (fd < 0) throw Error($"open {path}");
        using var handle = new SafeFd(fd);
        if (Fstatfs(fd, out long type, out _) != 0 || type != FilesystemType(dir))
            throw new RuntimeException($"{path}: not on the filesystem of {dir.Path}");
        try { WriteAll(fd, Encoding.UTF8.GetBytes(value)); }
        catch (ErrnoException e) { throw new RuntimeException($"write {path}: {StrError(e.Errno)}"); }
    }

    public string? ReadFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    public int Detach(string path) => Umount2(path, MNT_DETACH) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public void PivotRoot(Node newRoot)
    {
        using var oldRoot = Open("/") ?? throw new RuntimeException("cannot open /");
        if (Fchdir(Fd(newRoot)) != 0) throw Error($"chdir {newRoot.Path}");
        if (Libc.PivotRoot(".", ".") != 0) throw Error($"pivot_root {newRoot.Path}");
        // "." is the old root now (stacked under the new one); say so explicitly rather than rely on the kernel.
        if (Fchdir(Fd(oldRoot)) != 0) throw Error("chdir to the old root");
        // rslave first, so the detach does not propagate to the host's mounts.
        if (Mount(null, ".", null, MS_SLAVE | MS_REC, null) != 0) throw Error("make the old root rslave");
        if (Umount2(".", MNT_DETACH) != 0) throw Error("detach the old root");
        if (Chdir("/") != 0) throw Error("chdir /");
    }

    public void MoveRoot(Node newRoot)
    {
        if (Fchdir(Fd(newRoot)) != 0) throw Error($"chdir {newRoot.Path}");
        if (Mount(".", "/", null, MS_MOVE, null) != 0) throw Error($"move {newRoot.Path} on /");
        if (Chroot(".") != 0) throw Error($"chroot {newRoot.Path}");
        if (Chdir("/") != 0) throw Error("chdir /");
    }
}
