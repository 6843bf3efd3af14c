using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Processes, pipes, signals and identities.
public static partial class Libc
{
    public const int WNOHANG = 1;
    public const int PR_SET_PDEATHSIG = 1, PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38,
        PR_SET_CHILD_SUBREAPER = 36, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4;
    public const int F_GETFD = 1, F_SETFD = 2, F_DUPFD_CLOEXEC = 1030, FD_CLOEXEC = 1;
    public const int SIGKILL = 9, SIGTERM = 15, SIGCHLD = 17;

    [LibraryImport(Name, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPidRaw(int pid, out int status, int options);

    /// <summary>waitpid, retried on EINTR. Returns the pid (0 with WNOHANG when still running).</summary>
    public static int WaitPid(int pid, out int status, int options = 0)
    {
        while (true)
        {
            int r = WaitPidRaw(pid, out status, options);
            if (r >= 0) return r;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR) throw new ErrnoException($"waitpid {pid}", errno);
        }
    }

    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Name, EntryPoint = "signal")]
    private static partial nint SignalRaw(int signal, nint handler);

    /// <summary>
    /// Ignores <paramref name="signal"/> (SIG_IGN) without .NET's signal machinery (PosixSignalRegistration starts a
    /// thread and keeps its types: the monitor, which lives beside every container, stays smaller without).
    /// </summary>
    public static void IgnoreSignal(int signal)
    {
        if (SignalRaw(signal, 1) == -1) throw new ErrnoException($"ignoring signal {signal}", Errno.EINVAL);
    }

    [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, ulong arg2, ulong arg3 = 0, ulong arg4 = 0, ulong arg5 = 0);

    [LibraryImport(Name, EntryPoint = "getpid")] public static partial int GetPid();
    [LibraryImport(Name, EntryPoint = "getppid")] public static partial int GetPPid();
    [LibraryImport(Name, EntryPoint = "getuid")] public static partial uint GetUid();
    [LibraryImport(Name, EntryPoint = "geteuid")] public static partial uint GetEUid();
    [LibraryImport(Name, EntryPoint = "getgid")] public static partial uint GetGid();
    [LibraryImport(Name, EntryPoint = "getegid")] public static partial uint GetEGid();

    [LibraryImport(Name, EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int Pipe2Raw(int* fds, int flags);

    /// <summary>A pipe (read end, write end), both owned.</summary>
    public static unsafe (SafeFd Read, SafeFd Write) Pipe2(int flags = O_CLOEXEC)
    {
        int* fds = stackalloc int[2];
        Check(Pipe2Raw(fds, flags), "pipe2");
        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }

    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadRaw(int fd, byte* buf, nint count);

    /// <summary>gettid(2): this thread's id (the process id on the main thread).</summary>
    [LibraryImport(Name, EntryPoint = "gettid")]
    public static partial int Gettid();

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteRaw(int fd, byte* buf, nint count);

    /// <summary>read(2), retried on EINTR; returns the count (0 at end of file).</summary>
    public static unsafe int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint r = ReadRaw(fd, p, buffer.Length);
                if (r >= 0) return (int)r;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR) throw new ErrnoException("read", errno);
            }
        }
    }

    /// <summary>Writes the whole buffer, retrying on EINTR and short writes.</summary>
    public static unsafe void WriteAll(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint r = WriteRaw(fd, p + done, buffer.Length - done);
                if (r >= 0) { done += (int)r; continue; }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR) throw new ErrnoException("write", errno);
            }
        }
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/> until end of file (read(2) and write(2), EINTR retried).</summary>
    public static void CopyAll(int from, int to)
    {
        byte[] buffer = new byte[65536];
        int n;
        while ((n = Read(from, buffer)) > 0) WriteAll(to, buffer.AsSpan(0, n));
    }

    /// <summary>Reads until end of file or until <paramref name="max"/> bytes.</summary>
    public static byte[] ReadToEnd(int fd, int max = 1 << 20)
    {
        var result = new List<byte>();
        Span<byte> buf = stackalloc byte[4096];
        while (result.Count < max)
        {
            int n = Read(fd, buf);
            if (n == 0) break;
            for (int i = 0; i < n; i++) result.Add(buf[i]);
        }
        return [.. result];
    }

    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);

    /// <summary>close(2) of a descriptor not held by a SafeFd.</summary>
    public static int Close(int fd) => CloseRaw(fd);

    /// <summary>This process's environment as "K=V" strings, for a child started with <see cref="CloneChild"/> or execve.</summary>
    public static List<string> EnvironmentLines()
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables()) env.Add($"{e.Key}={e.Value}");
        return env;
    }

    /// <summary>
    /// Writes one line to stderr with write(2), without .NET's Console (the small programs beside containers stay
    /// smaller without it); a closed stderr is ignored.
    /// </summary>
    public static void WriteErrorLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        try { WriteAll(2, System.Text.Encoding.UTF8.GetBytes(line + "\n")); }
        catch (ErrnoException) { }
    }

    [LibraryImport(Name, EntryPoint = "setsid", SetLastError = true)]
    public static partial int SetSid();

    [LibraryImport(Name, EntryPoint = "close_range", SetLastError = true)]
    public static partial int CloseRange(uint first, uint last, int flags);

    public const int CLOSE_RANGE_CLOEXEC = 4;
}

public static partial class Libc
{
    public const short POLLIN = 1;

    [LibraryImport(Name, EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollRaw(int* fds, ulong nfds, int timeout);

    /// <summary>poll(2) on one descriptor: true when <paramref name="events"/> (or an error/hangup) is ready within the timeout.</summary>
    public static unsafe bool PollOne(int fd, short events, int timeoutMs)
    {
        int* pfd = stackalloc int[2];
        pfd[0] = fd;
        pfd[1] = (ushort)events; // events in the low half, revents in the high half
        int r = PollRaw(pfd, 1, timeoutMs);
        if (r == -1 && Marshal.GetLastPInvokeError() != Errno.EINTR) ThrowErrno("poll");
        return r > 0;
    }
}
