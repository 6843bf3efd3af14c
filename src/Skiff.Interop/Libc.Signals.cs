using System.Runtime.InteropServices;


namespace Skiff.Interop;

// Signal dispositions and masks, for handing a clean process to a program we exec.
public static partial class Libc
{
    // The raw rt_sigaction system call, not glibc's sigaction: glibc refuses signals 32 and 33 (its own), which
    // a parent may still have left ignored; the kernel's struct is handler, flags, restorer, 8-byte mask.
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long RtSigactionRaw(long nr, long sig, byte* act, byte* oldact, long sigsetSize);

    private static unsafe int SigActionRaw(int sig, byte* act, byte* oldact)
        => (int)RtSigactionRaw(Launch.SyscallNumbers.Of(Launch.Sys.RtSigaction), sig, act, oldact, 8);

    [LibraryImport(Name, EntryPoint = "sigprocmask", SetLastError = true)]
    private static unsafe partial int SigProcMaskRaw(int how, ulong* set, ulong* oldset);

    private const int SIG_SETMASK = 2;

    /// <summary>
    /// Signals that have a handler or are ignored here. .NET ignores SIGPIPE and handles others; an ignored
    /// signal survives execve, so a container started from us would not die of SIGPIPE (`yes | head -1`).
    /// </summary>
    public static unsafe List<int> NonDefaultSignals()
    {
        var result = new List<int>();
        byte* act = stackalloc byte[256];
        for (int sig = 1; sig <= 64; sig++)
        {
            if (sig is 9 or 19) continue; // SIGKILL and SIGSTOP cannot change
            if (SigActionRaw(sig, null, act) != 0) continue;
            if (*(nint*)act != 0) result.Add(sig);
        }
        return result;
    }

    /// <summary>Every signal back to its default action and none blocked: what a program expects at exec.</summary>
    public static unsafe void ResetSignalsForExec()
    {
        byte* act = stackalloc byte[256];
        new Span<byte>(act, 256).Clear(); // sa_handler = SIG_DFL, empty sa_mask, no flags
        foreach (int sig in NonDefaultSignals()) SigActionRaw(sig, act, null);
        ulong empty = 0;
        SigProcMaskRaw(SIG_SETMASK, &empty, null);
    }
}
