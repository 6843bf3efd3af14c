using System.Runtime.InteropServices;

namespace Skiff.Interop;

/// <summary>
/// The one place where Skiff reaches the C library and the kernel. One partial file per family of
/// calls (Libc.Files.cs, Libc.Mount.cs, ...); every import is a LibraryImport with SetLastError so
/// that failures go through <see cref="ErrnoException"/>.
/// </summary>
public static partial class Libc
{
    internal const string Name = "libc";

    /// <summary>Throws an <see cref="ErrnoException"/> naming <paramref name="what"/> when <paramref name="result"/> is -1.</summary>
    public static int Check(int result, string what)
    {
        if (result == -1) ThrowErrno(what);
        return result;
    }

    public static long Check(long result, string what)
    {
        if (result == -1) ThrowErrno(what);
        return result;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowErrno(string what) => throw new ErrnoException(what, Marshal.GetLastPInvokeError());

    [LibraryImport(Name, EntryPoint = "strerror")]
    private static partial IntPtr StrErrorNative(int errnum);

    public static string StrError(int errno) => Marshal.PtrToStringUTF8(StrErrorNative(errno)) ?? $"errno {errno}";
}

/// <summary>A failed system call: the call (and its object) and the errno.</summary>
public sealed class ErrnoException : IOException
{
    public int Errno { get; }

    public ErrnoException(string what, int errno) : base($"{what}: {Libc.StrError(errno)}") => Errno = errno;

    public ErrnoException() : base() { }
    public ErrnoException(string message) : base(message) { }
    public ErrnoException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Errno values used by name (Linux, all architectures Skiff supports).</summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9, ECHILD = 10, EAGAIN = 11,
        ENOMEM = 12, EACCES = 13, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
        ENOSPC = 28, EROFS = 30, EPIPE = 32, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61,
        EOPNOTSUPP = 95, ECONNABORTED = 103, ECONNREFUSED = 111;
}
