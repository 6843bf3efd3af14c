using System.Runtime.InteropServices;

namespace Skiff.Interop;

// The fd-based mount and path calls the runtime builds a root with: openat2 (resolution inside a root),
// the new mount API (open_tree, move_mount, fsopen, fsconfig, fsmount, mount_setattr), statx, fstatfs,
// readlinkat, fchdir and chroot. glibc wraps few of them, so most go through syscall(2); their numbers are
// the same on x86_64 and aarch64 (the unified table every architecture shares since Linux 5.1).
public static partial class Libc
{
    public const long SYS_open_tree = 428, SYS_move_mount = 429, SYS_fsopen = 430, SYS_fsconfig = 431, SYS_fsmount = 432,
        SYS_openat2 = 437, SYS_mount_setattr = 442;

    public const ulong RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08,
        RESOLVE_IN_ROOT = 0x10;

    public const uint OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 0x80000, AT_RECURSIVE = 0x8000;
    public const uint MOVE_MOUNT_F_EMPTY_PATH = 0x04, MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    public const uint FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1;
    public const uint FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;

    public const ulong MOUNT_ATTR_RDONLY = 0x1, MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4, MOUNT_ATTR_NOEXEC = 0x8,
        MOUNT_ATTR__ATIME = 0x70, MOUNT_ATTR_RELATIME = 0x0, MOUNT_ATTR_NOATIME = 0x10, MOUNT_ATTR_STRICTATIME = 0x20,
        MOUNT_ATTR_NODIRATIME = 0x80, MOUNT_ATTR_IDMAP = 0x100000, MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

    public const uint STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_BASIC_STATS = 0x7ff, STATX_MNT_ID = 0x1000;
    public const ulong STATX_ATTR_MOUNT_ROOT = 0x2000;

    public const long PROC_SUPER_MAGIC = 0x9fa0, SYSFS_MAGIC = 0x62656572, TMPFS_MAGIC = 0x01021994,
        CGROUP_SUPER_MAGIC = 0x27e0eb, CGROUP2_SUPER_MAGIC = 0x63677270, DEVPTS_SUPER_MAGIC = 0x1cd1;

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallRaw(long nr, long a1, long a2, long a3, long a4, long a5);

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MountAttr
    {
        public ulong AttrSet;
        public ulong AttrClr;
        public ulong Propagation;
        public ulong UsernsFd;
    }

    /// <summary>
    /// openat2(2) with O_CLOEXEC added, retried on EINTR and EAGAIN (RESOLVE_IN_ROOT reports EAGAIN when a
    /// rename raced the walk); returns -1 with errno set (ENOSYS where the kernel predates 5.6).
    /// </summary>
    public static unsafe int OpenAt2(int dirfd, string path, int flags, ulong resolve, uint mode = 0)
    {
        var how = new OpenHow { Flags = (ulong)(uint)(flags | O_CLOEXEC), Mode = mode, Resolve = resolve };
        byte[] p = Utf8Z(path);
        for (int attempt = 0; ; attempt++)
        {
            long r;
            fixed (byte* pp = p) r = SyscallRaw(SYS_openat2, dirfd, (long)pp, (long)&how, sizeof(OpenHow), 0);
            if (r >= 0) return (int)r;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR || (errno == Errno.EAGAIN && attempt < 64)) continue;
            Marshal.SetLastPInvokeError(errno);
            return -1;
        }
    }

    /// <summary>open_tree(2): an O_PATH descriptor, or with OPEN_TREE_CLONE a detached copy of the mount (tree).</summary>
    public static unsafe int OpenTree(int dirfd, string path, uint flags)
    {
        byte[] p = Utf8Z(path);
        fixed (byte* pp = p) return (int)SyscallRaw(SYS_open_tree, dirfd, (long)pp, flags, 0, 0);
    }

    /// <summary>move_mount(2): attaches (or moves) a mount; with both EMPTY_PATH flags, from fd to fd.</summary>
    public static unsafe int MoveMount(int fromDirfd, string fromPath, int toDirfd, string toPath, uint flags)
    {
        byte[] f = Utf8Z(fromPath), t = Utf8Z(toPath);
        fixed (byte* fp = f)
        fixed (byte* tp = t)
            return (int)SyscallRaw(SYS_move_mount, fromDirfd, (long)fp, toDirfd, (long)tp, flags);
    }

    /// <summary>fsopen(2): a filesystem context to configure with <see cref="FsConfig"/>.</summary>
    public static unsafe int FsOpen(string fsType, uint flags)
    {
        byte[] p = Utf8Z(fsType);
        fixed (byte* pp = p) return (int)SyscallRaw(SYS_fsopen, (long)pp, flags, 0, 0, 0);
    }

    /// <summary>fsconfig(2) with a string or flag parameter, or a command (key and value null).</summary>
    public static unsafe int FsConfig(int fsfd, uint cmd, string? key, string? value, int aux = 0)
    {
        byte[]? k = key is null ? null : Utf8Z(key);
        byte[]? v = value is null ? null : Utf8Z(value);
        fixed (byte* kp = k)
        fixed (byte* vp = v)
            return (int)SyscallRaw(SYS_fsconfig, fsfd, cmd, (long)kp, (long)vp, aux);
    }

    /// <summary>fsmount(2): the created superblock as a detached mount with MOUNT_ATTR_* flags.</summary>
    public static int FsMount(int fsfd, uint flags, ulong attrFlags) => (int)SyscallRaw(SYS_fsmount, fsfd, flags, (long)attrFlags, 0, 0);

    /// <summary>mount_setattr(2) (Linux 5.12): mount attributes, propagation and id mapping, recursively with AT_RECURSIVE.</summary>
    public static unsafe int MountSetattr(int dirfd, string path, uint flags, MountAttr attr)
    {
        byte[] p = Utf8Z(path);
        fixed (byte* pp = p) return (int)SyscallRaw(SYS_mount_setattr, dirfd, (long)pp, flags, (long)&attr, sizeof(MountAttr));
    }

    /// <summary>The messages a filesystem context logged ("e ..." error lines), read from its descriptor; empty when none.</summary>
    public static unsafe string FsContextMessages(int fsfd)
    {
        var lines = new List<string>();
        byte* buf = stackalloc byte[1024];
        for (int i = 0; i < 16; i++)
        {
            nint n = ReadRaw(fsfd, buf, 1024);
            if (n <= 0) break;
            string line = System.Text.Encoding.UTF8.GetString(buf, (int)n).Trim();
            if (line.Length > 2 && line[1] == ' ') line = line[2..];
            lines.Add(line);
        }
        return string.Join("; ", lines);
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxResult
    {
        public uint Mask;
        public uint Mode;
        public uint Uid;
        public uint Gid;
        public ulong Attributes;
        public uint RdevMajor;
        public uint RdevMinor;
        public ulong MountId;
        public long MtimeSec;
        public uint MtimeNsec;
        public long AtimeSec;
        public uint AtimeNsec;
        public ulong Size;
        public ulong Ino;
        public uint DevMajor;
        public uint DevMinor;
    }

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxRaw(int dirfd, string path, int flags, uint mask, byte* buf);

    /// <summary>statx(2) of <paramref name="path"/> relative to <paramref name="dirfd"/> ("" with AT_EMPTY_PATH: the fd itself).</summary>
    public static unsafe int Statx(int dirfd, string path, int flags, uint mask, out StatxResult result)
    {
        byte* b = stackalloc byte[256];
        int r = StatxRaw(dirfd, path, flags, mask, b);
        result = default;
        if (r != 0) return r;
        result.Mask = *(uint*)(b + 0);
        result.Attributes = *(ulong*)(b + 8);
        result.Uid = *(uint*)(b + 20);
        result.Gid = *(uint*)(b + 24);
        result.Mode = *(ushort*)(b + 28);
        result.Ino = *(ulong*)(b + 32);
        result.Size = *(ulong*)(b + 40);
        result.AtimeSec = *(long*)(b + 64);
        result.AtimeNsec = *(uint*)(b + 72);
        result.MtimeSec = *(long*)(b + 112);
        result.MtimeNsec = *(uint*)(b + 120);
        result.RdevMajor = *(uint*)(b + 128);
        result.RdevMinor = *(uint*)(b + 132);
        result.DevMajor = *(uint*)(b + 136);
        result.DevMinor = *(uint*)(b + 140);
        result.MountId = *(ulong*)(b + 144);
        return 0;
    }

    [LibraryImport(Name, EntryPoint = "fstatfs", SetLastError = true)]
    private static unsafe partial int FstatfsRaw(int fd, long* buf);

    /// <summary>fstatfs(2): the filesystem's magic (f_type) and the mount's ST_* flags (f_flags).</summary>
    public static unsafe int Fstatfs(int fd, out long type, out ulong flags)
    {
        long* buf = stackalloc long[16]; // struct statfs on 64-bit Linux: 15 words, f_type first and f_flags the 11th
        int r = FstatfsRaw(fd, buf);
        type = r == 0 ? buf[0] : 0;
        flags = r == 0 ? (ulong)buf[10] : 0;
        return r;
    }

    [LibraryImport(Name, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint ReadlinkAtRaw(int dirfd, string path, byte* buf, nint size);

    /// <summary>readlinkat(2); "" reads the link an O_PATH|O_NOFOLLOW descriptor refers to. Null with errno set on failure.</summary>
    public static unsafe string? ReadlinkAt(int dirfd, string path)
    {
        const int Size = 4096;
        byte* buf = stackalloc byte[Size];
        nint n = ReadlinkAtRaw(dirfd, path, buf, Size);
        if (n < 0) return null;
        return System.Text.Encoding.UTF8.GetString(buf, (int)n);
    }

    [LibraryImport(Name, EntryPoint = "fchdir", SetLastError = true)]
    public static partial int Fchdir(int fd);

    [LibraryImport(Name, EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chroot(string path);

    [LibraryImport(Name, EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport(Name, EntryPoint = "getdents64", SetLastError = true)]
    private static unsafe partial nint Getdents64Raw(int fd, byte* buf, nint size);

    /// <summary>The names in a directory opened for reading (not "." and ".."), with their d_type.</summary>
    public static unsafe List<(string Name, byte Type)> ReadDirectory(int fd)
    {
        var entries = new List<(string, byte)>();
        const int Size = 32768;
        byte[] buffer = new byte[Size];
        fixed (byte* buf = buffer)
        {
            while (true)
            {
                nint n = Getdents64Raw(fd, buf, Size);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                    ThrowErrno("getdents64");
                }
                if (n == 0) break;
                for (nint off = 0; off < n;)
                {
                    ushort reclen = *(ushort*)(buf + off + 16);
                    byte type = buf[off + 18];
                    byte* name = buf + off + 19;
                    int len = 0;
                    while (name[len] != 0) len++;
                    string s = System.Text.Encoding.UTF8.GetString(name, len);
                    if (s is not "." and not "..") entries.Add((s, type));
                    off += reclen;
                }
            }
        }
        return entries;
    }

    private static byte[] Utf8Z(string s)
    {
        byte[] b = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, b);
        return b;
    }
}
