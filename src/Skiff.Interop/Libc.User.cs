using System.Runtime.InteropServices;

namespace Skiff.Interop;

public static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUid();

    [LibraryImport(Name, EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport(Name, EntryPoint = "getgid")]
    public static partial uint GetGid();

    [LibraryImport(Name, EntryPoint = "getpid")]
    public static partial int GetPid();

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport(Name, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, out RLimit limit);

    /// <summary>RLIMIT_* numbers (Linux generic ABI: x86-64 and aarch64).</summary>
    public static class RLimits
    {
        public const int CPU = 0, FSIZE = 1, DATA = 2, STACK = 3, CORE = 4, RSS = 5, NPROC = 6, NOFILE = 7, MEMLOCK = 8,
            AS = 9, LOCKS = 10, SIGPENDING = 11, MSGQUEUE = 12, NICE = 13, RTPRIO = 14, RTTIME = 15;
    }

    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    public static partial int SendSignal(int pid, int signal);

    [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    public const int PR_SET_CHILD_SUBREAPER = 36;

    /// <summary>Orphaned descendants (the container's init, once the runtime's create has exited) become our children.</summary>
    public static void BecomeSubreaper() => Check(Prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
}

public static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPidRaw(int pid, out int status, int options);

    /// <summary>Waits for <paramref name="pid"/>, retrying on EINTR; returns the raw wait status.</summary>
    public static int WaitForPid(int pid)
    {
        while (true)
        {
            int r = WaitPidRaw(pid, out int status, 0);
            if (r == pid) return status;
            if (r == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
            ThrowErrno($"waitpid({pid})");
        }
    }

    /// <summary>The shell's convention: the exit code, or 128 + the signal that killed the process.</summary>
    public static int ExitCodeOf(int waitStatus)
    {
        int sig = waitStatus & 0x7f;
        return sig == 0 ? (waitStatus >> 8) & 0xff : 128 + sig;
    }
}

public static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2Raw(int oldFd, int newFd);

    /// <summary>Makes <paramref name="newFd"/> a copy of <paramref name="oldFd"/> (dup2).</summary>
    public static void DuplicateFd(int oldFd, int newFd) => Check(Dup2Raw(oldFd, newFd), $"dup2({oldFd}, {newFd})");

    /// <summary>Points this process's standard input at /dev/null (a container run without -i gets no stdin, as in podman).</summary>
    public static void DetachStdin()
    {
        using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        DuplicateFd((int)devNull.DangerousGetHandle(), 0);
    }
}
