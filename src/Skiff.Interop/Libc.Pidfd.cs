using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Waiting for a child with a timeout while feeding and draining its pipes (the runtime's hooks): pidfd_open,
// poll over several descriptors, non-blocking reads and writes; and the owner of a file (runtime `list`).
public static partial class Libc
{
    public const int F_GETFL = 3, F_SETFL = 4;
    public const short POLLOUT = 4, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32;
    private const long SYS_pidfd_open = 434; // the same number on x86-64 and aarch64 (new syscalls share one table)

    /// <summary>One entry of poll(2)'s array.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollEntry
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial int SyscallPidfdOpen(long number, int pid, uint flags);

    /// <summary>A descriptor that polls readable once process <paramref name="pid"/> (our child) has exited.</summary>
    public static SafeFd PidfdOpen(int pid) => new(Check(SyscallPidfdOpen(SYS_pidfd_open, pid, 0), $"pidfd_open {pid}"));

    /// <summary>poll(2) over <paramref name="entries"/>; returns the count of ready entries (0 on timeout or EINTR).</summary>
    public static unsafe int Poll(Span<PollEntry> entries, int timeoutMs)
    {
        fixed (PollEntry* p = entries)
        {
            int r = PollRaw((int*)p, (ulong)entries.Length, timeoutMs);
            if (r >= 0) return r;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR) return 0;
            throw new ErrnoException("poll", errno);
        }
    }

    /// <summary>Sets O_NONBLOCK on a descriptor (its open file description: only ours when it is our end of a pipe).</summary>
    public static void SetNonBlocking(int fd)
    {
        int flags = Check(Fcntl(fd, F_GETFL, 0), $"fcntl F_GETFL of fd {fd}");
        Check(Fcntl(fd, F_SETFL, flags | O_NONBLOCK), $"fcntl F_SETFL of fd {fd}");
    }

    /// <summary>A read on a non-blocking descriptor: the count (0 at end of file), or -1 when nothing is there yet.</summary>
    public static unsafe int ReadAvailable(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint r = ReadRaw(fd, p, buffer.Length);
                if (r >= 0) return (int)r;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EAGAIN) return -1;
                if (errno != Errno.EINTR) throw new ErrnoException("read", errno);
            }
        }
    }

    /// <summary>A write on a non-blocking descriptor: the count written, 0 when the pipe is full.</summary>
    public static unsafe int WriteAvailable(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint r = WriteRaw(fd, p, buffer.Length);
                if (r >= 0) return (int)r;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EAGAIN) return 0;
                if (errno != Errno.EINTR) throw new ErrnoException("write", errno);
            }
        }
    }
}
