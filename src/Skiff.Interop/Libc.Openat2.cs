using System.Runtime.InteropServices;

namespace Skiff.Interop;

// openat2(2) (Linux 5.6): paths resolved by the kernel inside a root, never out of it.
public static partial class Libc
{
    public const ulong RESOLVE_NO_XDEV = 1, RESOLVE_NO_MAGICLINKS = 2, RESOLVE_NO_SYMLINKS = 4, RESOLVE_BENEATH = 8, RESOLVE_IN_ROOT = 16;
    private const long SysOpenat2 = 437; // the same on x86_64 and aarch64

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial long Openat2Raw(long nr, int dirfd, string path, ulong* how, nuint size);

    /// <summary>
    /// Opens <paramref name="path"/> as if <paramref name="rootFd"/> were the root: "..", absolute symlinks and
    /// absolute paths stay inside it, and magic links (/proc/self/fd/N) are refused. Returns -1 with errno set on failure.
    /// </summary>
    public static unsafe int Openat2(int rootFd, string path, int flags, uint mode = 0, ulong resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
    {
        ulong* how = stackalloc ulong[3];
        how[0] = (ulong)(flags | O_CLOEXEC);
        how[1] = mode;
        how[2] = resolve;
        long fd;
        do fd = Openat2Raw(SysOpenat2, rootFd, path, how, 24);
        while (fd == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        return (int)fd;
    }

    /// <summary><see cref="Openat2"/> that throws an <see cref="ErrnoException"/> naming the path.</summary>
    public static SafeFd OpenInRoot(int rootFd, string path, int flags, uint mode = 0, ulong resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
    {
        int fd = Openat2(rootFd, path, flags, mode, resolve);
        if (fd < 0) ThrowErrno($"open {path}");
        return new SafeFd(fd);
    }
}
