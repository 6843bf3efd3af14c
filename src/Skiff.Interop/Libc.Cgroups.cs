using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Control groups: file system magic numbers, cgroup directories, OOM notifications (eventfd for v1,
// inotify for v2), unshare of the cgroup namespace.
public static partial class Libc
{
    /// <summary>statfs(2) f_type values that tell the cgroup layout apart.</summary>


    public const int EFD_CLOEXEC = 0x80000;
    public const int IN_CLOEXEC = 0x80000, IN_NONBLOCK = 0x800, IN_MODIFY = 0x2;
    public const short POLLPRI = 2;

    [LibraryImport(Name, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatfsRaw(string path, byte* buf);

    /// <summary>The f_type of the file system holding <paramref name="path"/>, or -1 with errno set.</summary>
    public static unsafe long FileSystemType(string path)
    {
        // struct statfs is 120 bytes on x86_64 and aarch64; f_type (a long) comes first.
        byte* buf = stackalloc byte[256];
        if (StatfsRaw(path, buf) != 0) return -1;
        return *(long*)buf;
    }

    /// <summary>The bytes an unprivileged writer may still use on the file system holding <paramref name="path"/>
    /// (statfs f_bavail x f_bsize, what df shows as available), or -1 with errno set.</summary>
    public static unsafe long AvailableBytes(string path)
    {
        // struct statfs on 64-bit Linux: f_type, f_bsize, f_blocks, f_bfree, f_bavail, ... (one word each).
        long* buf = stackalloc long[32];
        if (StatfsRaw(path, (byte*)buf) != 0) return -1;
        ulong avail = (ulong)buf[4], blockSize = (ulong)buf[1];
        return avail > (ulong)long.MaxValue / Math.Max(blockSize, 1) ? long.MaxValue : (long)(avail * blockSize);
    }

    [LibraryImport(Name, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode);

    [LibraryImport(Name, EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rmdir(string path);

    [LibraryImport(Name, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport(Name, EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport(Name, EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport(Name, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    /// <summary>
    /// poll(2) on several descriptors for <paramref name="events"/>; returns for each whether it is ready
    /// (any event, error or hangup), all false on timeout. EINTR counts as a timeout.
    /// </summary>
    public static unsafe bool[] PollMany(ReadOnlySpan<int> fds, short events, int timeoutMs)
    {
        int* pfd = stackalloc int[fds.Length * 2];
        for (int i = 0; i < fds.Length; i++)
        {
            pfd[2 * i] = fds[i];
            pfd[2 * i + 1] = (ushort)events;
        }
        int r = PollRaw(pfd, (ulong)fds.Length, timeoutMs);
        if (r == -1 && Marshal.GetLastPInvokeError() != Errno.EINTR) ThrowErrno("poll");
        var ready = new bool[fds.Length];
        for (int i = 0; i < fds.Length && r > 0; i++) ready[i] = (pfd[2 * i + 1] >>> 16) != 0;
        return ready;
    }
}
