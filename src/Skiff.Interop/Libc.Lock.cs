using System.Runtime.InteropServices;

namespace Skiff.Interop;

/// <summary>Advisory whole-file locks (flock) and the open/fsync calls that lock files and atomic writes need.</summary>
public static partial class Libc
{
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100,
        O_TRUNC = 0x200, O_APPEND = 0x400, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000,
        O_CLOEXEC = 0x80000, O_PATH = 0x200000;

    [LibraryImport(Name, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenRaw(string path, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    /// <summary>Opens <paramref name="path"/> (O_CLOEXEC is always added), throwing an <see cref="ErrnoException"/> naming it.</summary>
    public static SafeFd OpenFd(string path, int flags, uint mode = 0)
    {
        int fd;
        do fd = OpenRaw(path, flags | O_CLOEXEC, mode);
        while (fd == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (fd == -1) ThrowErrno($"open {path}");
        return new SafeFd(fd);
    }
}
