using System.Runtime.InteropServices;
using Skiff.Interop;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// Resolves a path inside a root directory descriptor and returns an O_PATH descriptor of what it names.
/// The kernel does it in one call where it can (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). Where
/// the path is missing and must be created, or openat2 is unavailable, it walks one component at a
/// time: each openat is relative to the descriptor of the previous directory with O_NOFOLLOW, a
/// symbolic link is read (readlinkat) and its target resolved again from the root (absolute) or from
/// where it was (relative), ".." is a step back to the descriptor held for the parent and never leaves
/// the root, and a missing component is created with mkdirat/openat relative to its parent. The kernel
/// never walks a string that a container process could redirect: the runc CVE-2021-30465 class.
/// </summary>
internal static class InRootResolver
{
    private const int MaxSymlinks = 40;
    private const int MaxRaces = 64;

    private static readonly Lazy<bool> s_openat2 = new(() =>
    {
        int fd = OpenAt2(AT_FDCWD, "/", O_PATH, 0);
        if (fd < 0) return false;
        Close(fd);
        return true;
    });

    /// <summary>Whether this kernel (and any seccomp filter we run under) offers openat2.</summary>
    public static bool Openat2Available => s_openat2.Value;

    /// <summary><see cref="Resolve(int, string, Create, bool, bool)"/> with openat2 where the kernel has it.</summary>
    public static SafeFd? Resolve(int rootFd, string path, Create create = Create.Nothing, bool followLast = true) =>
        Resolve(rootFd, path, create, followLast, Openat2Available);

    public static NodeKind KindOf(int fd)
    {
        if (Statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE, out var st) != 0) ThrowErrno("statx");
        return KindOfMode(st.Mode);
    }

    public static NodeKind KindOfMode(uint mode) => (mode & S_IFMT) switch
    {
        S_IFDIR => NodeKind.Directory,
        S_IFREG => NodeKind.File,
        S_IFLNK => NodeKind.Symlink,
        S_IFCHR or S_IFBLK => NodeKind.Device,
        _ => NodeKind.Other,
    };

    /// <summary>An O_PATH descriptor of <paramref name="path"/> inside <paramref name="rootFd"/>; null when missing and not created.</summary>
    public static SafeFd? Resolve(int rootFd, string path, Create create, bool followLast, bool useOpenat2)
    {
        string relative = path.TrimStart('/');
        if (relative.Length == 0) relative = ".";
        if (useOpenat2)
        {
            int fd = OpenAt2(rootFd, relative, O_PATH | (followLast ? 0 : O_NOFOLLOW), RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            if (fd >= 0) return new SafeFd(fd);
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ELOOP) throw new RuntimeException($"{path}: too many levels of symbolic links, or a /proc magic link");
            if (errno is not Errno.ENOENT and not Errno.ENOTDIR) throw new ErrnoException($"resolve {path}", errno);
            if (create == Create.Nothing) return null;
        }
        return Walk(rootFd, path, create, followLast);
    }

    private static SafeFd? Walk(int rootFd, string path, Create create, bool followLast)
    {
        var stack = new List<SafeFd> { Dup(rootFd) };
        var pending = new LinkedList<string>(Split(path));
        int links = 0, races = 0;
        try
        {
            while (pending.First is { } node)
            {
                string part = node.Value;
                pending.RemoveFirst();
                if (part == ".") continue;
                if (part == "..")
                {
                    if (stack.Count > 1)
                    {
                        stack[^1].Dispose();
                        stack.RemoveAt(stack.Count - 1);
                    }
                    continue;
                }
                bool last = pending.All(p => p == ".");
                int dir = stack[^1].Fd;
                int fd = OpenAt(dir, part, O_PATH | O_NOFOLLOW);
                if (fd < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != Errno.ENOENT) throw new ErrnoException($"resolve {path}: {part}", errno);
                    if (create == Create.Nothing) return null;
                    if (++races > MaxRaces) throw new RuntimeException($"{path}: it keeps changing while it is created");
                    MakeMissing(dir, part, path, last && create == Create.File);
                    pending.AddFirst(part); // opened again as whatever is there now
                    continue;
                }
                var handle = new SafeFd(fd);
                var kind = KindOf(fd);
                if (kind == NodeKind.Symlink && (!last || followLast))
                {
                    string? target = ReadlinkAt(fd, "");
                    handle.Dispose();
                    if (target is null) ThrowErrno($"readlink {path}: {part}");
                    if (++links > MaxSymlinks) throw new RuntimeException($"{path}: too many levels of symbolic links");
                    if (target.StartsWith('/'))
                    {
                        for (int i = stack.Count - 1; i > 0; i--) stack[i].Dispose();
                        stack.RemoveRange(1, stack.Count - 1);
                    }
                    foreach (string p in Split(target).Reverse()) pending.AddFirst(p);
                    continue;
                }
                if (!last && kind != NodeKind.Directory)
                {
                    handle.Dispose();
                    if (create == Create.Nothing) return null;
                    throw new ErrnoException($"resolve {path}: {part}", Errno.ENOTDIR);
                }
                stack.Add(handle);
            }
            var result = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return result;
        }
        finally
        {
            foreach (var s in stack) s.Dispose();
        }
    }

    private static void MakeMissing(int dir, string name, string path, bool file)
    {
        if (file)
        {
            int fd = OpenAt(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0x1a4); // 0644
            if (fd >= 0) { Close(fd); return; }
        }
        else if (MkdirAt(dir, name, 0x1ed) == 0) return; // 0755
        int errno = Marshal.GetLastPInvokeError();
        if (errno != Errno.EEXIST) throw new ErrnoException($"create {path}: {name}", errno);
    }

    private static SafeFd Dup(int fd)
    {
        int d = Fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (d < 0) ThrowErrno("dup");
        return new SafeFd(d);
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
