using System.Runtime.InteropServices;
using Skiff.Interop;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// tmpcopyup: copies a directory that a new tmpfs now covers into that tmpfs. Both sides are
/// descriptors ("." of an O_PATH descriptor of a mounted-over directory is the directory underneath),
/// every open is relative to its parent with O_NOFOLLOW, and symbolic links are copied as links: a
/// container process racing the copy cannot make it read or write outside the two trees.
/// Directories, regular files, symbolic links, fifos and device nodes keep their mode, owner and
/// modification time; extended attributes are not copied.
/// </summary>
internal static class TreeCopy
{
    private const int MaxDepth = 256;

    public static void Copy(int fromFd, int toFd, string what, bool copyRootAttributes)
    {
        using var from = OpenDirectory(fromFd, ".", what);
        using var to = OpenDirectory(toFd, ".", what);
        CopyDirectory(from.Fd, to.Fd, what, 0);
        if (!copyRootAttributes) return;
        if (Statx(from.Fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, out var st) != 0) ThrowErrno($"stat {what}");
        Fchown(to.Fd, (int)st.Uid, (int)st.Gid); // best effort: an owner unmapped in a user namespace stays root's
        if (Fchmod(to.Fd, st.Mode & 0xfff) != 0) ThrowErrno($"chmod {what}");
    }

    private static SafeFd OpenDirectory(int dirFd, string name, string what)
    {
        int fd = OpenAt(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (fd < 0) ThrowErrno($"tmpcopyup: open {what}/{name}");
        return new SafeFd(fd);
    }

    private static void CopyDirectory(int from, int to, string what, int depth)
    {
        if (depth > MaxDepth) throw new RuntimeException($"tmpcopyup: {what} is nested too deep");
        foreach (var (name, _) in ReadDirectory(from))
        {
            string path = $"{what}/{name}";
            if (Statx(from, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out var st) != 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.ENOENT) continue; // removed meanwhile
                ThrowErrno($"tmpcopyup: stat {path}");
            }
            uint type = st.Mode & S_IFMT;
            uint perm = st.Mode & 0xfff;
            switch (type)
            {
                case S_IFDIR:
                    if (MkdirAt(to, name, 0x1c0) != 0) ThrowErrno($"tmpcopyup: mkdir {path}");
                    using (var sub = OpenDirectory(from, name, what))
                    using (var dst = OpenDirectory(to, name, what))
                    {
                        CopyDirectory(sub.Fd, dst.Fd, path, depth + 1);
                        Finish(dst.Fd, st, path);
                    }
                    break;
                case S_IFREG:
                    CopyFile(from, to, name, path, st);
                    break;
                case S_IFLNK:
                    string? target = ReadlinkAt(from, name);
                    if (target is null) ThrowErrno($"tmpcopyup: readlink {path}");
                    if (SymlinkAt(target, to, name) != 0) ThrowErrno($"tmpcopyup: symlink {path}");
                    FchownAt(to, name, (int)st.Uid, (int)st.Gid, AT_SYMLINK_NOFOLLOW);
                    SetTimes(to, name, st, AT_SYMLINK_NOFOLLOW);
                    break;
                case S_IFIFO or S_IFCHR or S_IFBLK:
                    if (MknodAt(to, name, type | perm, MakeDev(st.RdevMajor, st.RdevMinor)) != 0) ThrowErrno($"tmpcopyup: mknod {path}");
                    FchownAt(to, name, (int)st.Uid, (int)st.Gid, AT_SYMLINK_NOFOLLOW);
                    FchmodAt(to, name, perm, 0);
                    SetTimes(to, name, st, AT_SYMLINK_NOFOLLOW);
                    break;
                default:
                    break; // sockets have no contents to copy
            }
        }
    }

    private static void CopyFile(int from, int to, string name, string path, StatxResult st)
    {
        int inFd = OpenAt(from, name, O_RDONLY | O_NOFOLLOW);
        if (inFd < 0) ThrowErrno($"tmpcopyup: open {path}");
        using var input = new SafeFd(inFd);
        int outFd = OpenAt(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0x180);
        if (outFd < 0) ThrowErrno($"tmpcopyup: create {path}");
        using var output = new SafeFd(outFd);
        CopyAll(inFd, outFd);
        Finish(outFd, st, path);
    }

    private static void Finish(int fd, StatxResult st, string path)
    {
        Fchown(fd, (int)st.Uid, (int)st.Gid);
        if (Fchmod(fd, st.Mode & 0xfff) != 0) ThrowErrno($"tmpcopyup: chmod {path}");
        Span<Timespec> times = [new Timespec { Sec = st.AtimeSec, Nsec = st.AtimeNsec }, new Timespec { Sec = st.MtimeSec, Nsec = st.MtimeNsec }];
        Futimens(fd, times);
    }

    private static void SetTimes(int dir, string name, StatxResult st, int flags)
    {
        Span<Timespec> times = [new Timespec { Sec = st.AtimeSec, Nsec = st.AtimeNsec }, new Timespec { Sec = st.MtimeSec, Nsec = st.MtimeNsec }];
        UtimensAt(dir, name, times, flags);
    }
}
