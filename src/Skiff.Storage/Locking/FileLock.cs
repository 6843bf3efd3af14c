using Skiff.Interop;

namespace Skiff.Storage.Locking;

/// <summary>
/// A cross-process advisory lock (flock) on a lock file, created when missing. Exclusive for writers,
/// shared for readers; released on dispose (and by the kernel when the process dies).
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly SafeFd _fd;

    private FileLock(SafeFd fd, string path, bool exclusive)
    {
        _fd = fd;
        Path = path;
        Exclusive = exclusive;
    }

    public string Path { get; }
    public bool Exclusive { get; }

    /// <summary>Waits for the lock on <paramref name="path"/> (a file, created 0600 if missing, or a directory).</summary>
    public static FileLock Acquire(string path, bool exclusive)
        => TryAcquireCore(path, exclusive, wait: true) ?? throw new InvalidOperationException($"lock {path}: not acquired");

    public static FileLock AcquireExclusive(string path) => Acquire(path, exclusive: true);

    public static FileLock AcquireShared(string path) => Acquire(path, exclusive: false);

    /// <summary>Takes the lock only if nobody holds a conflicting one; null otherwise.</summary>
    public static FileLock? TryAcquire(string path, bool exclusive) => TryAcquireCore(path, exclusive, wait: false);

    private static FileLock? TryAcquireCore(string path, bool exclusive, bool wait)
    {
        var fd = Directory.Exists(path)
            ? Libc.OpenFd(path, Libc.O_RDONLY | Libc.O_DIRECTORY)
            : Libc.OpenFd(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_NOCTTY, 0x180 /* 0600 */);
        try
        {
            int op = (exclusive ? Libc.LOCK_EX : Libc.LOCK_SH) | (wait ? 0 : Libc.LOCK_NB);
            while (Libc.Flock(fd.Fd, op) == -1)
            {
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (!wait && errno == Errno.EAGAIN) { fd.Dispose(); return null; }
                Libc.ThrowErrno($"flock {path}");
            }
            return new FileLock(fd, path, exclusive);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    public void Dispose() => _fd.Dispose();
}
