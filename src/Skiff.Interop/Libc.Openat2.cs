namespace Skiff.Interop;

// openat2(2) (Linux 5.6) with a root: paths resolved by the kernel inside it, never out of it. The system
// call itself is Libc.MountApi.cs's OpenAt2; these are the runtime's common uses of it.
public static partial class Libc
{
    /// <summary>
    /// Opens <paramref name="path"/> as if <paramref name="rootFd"/> were the root: "..", absolute symlinks and
    /// absolute paths stay inside it, and magic links (/proc/self/fd/N) are refused. Returns -1 with errno set on failure.
    /// </summary>
    public static int Openat2(int rootFd, string path, int flags, uint mode = 0, ulong resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) =>
        OpenAt2(rootFd, path, flags, resolve, mode);

    /// <summary><see cref="Openat2"/> that throws an <see cref="ErrnoException"/> naming the path.</summary>
    public static SafeFd OpenInRoot(int rootFd, string path, int flags, uint mode = 0, ulong resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
    {
        int fd = Openat2(rootFd, path, flags, mode, resolve);
        if (fd < 0) ThrowErrno($"open {path}");
        return new SafeFd(fd);
    }
}
