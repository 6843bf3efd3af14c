using System.Runtime.InteropServices;

namespace Skiff.Interop.Clone;

/// <summary>
/// The chain of ucontexts a cloned child runs between clone and execve, each one system call
/// (see the comment at the top of CloneChild.cs), and the native memory it needs.
/// </summary>
internal sealed unsafe partial class ChildChain : IDisposable
{
    private const int ContextStack = 8192;
    private const int CloneStack = 16384;
    private const int SigSetBytes = 128;
    private const int SIG_SETMASK = 2;
    private const int CLONE_VM = 0x100;

    private static readonly nint s_libc = NativeLibrary.Load("libc.so.6");
    private static readonly nint s_setcontext = NativeLibrary.GetExport(s_libc, "setcontext");
    private static readonly nint s_syscall = NativeLibrary.GetExport(s_libc, "syscall");

    private readonly UcontextLayout _layout;
    private readonly NativeArena _arena = new();
    private readonly List<Step> _steps = [];

    private readonly record struct Step(long Nr, long A1 = 0, long A2 = 0, long A3 = 0, long A4 = 0, long A5 = 0);

    public ChildChain(UcontextLayout layout) => _layout = layout;

    /// <summary>Clones the child; returns its pid, the write end of its sync pipe and the read end of its exec pipe.</summary>
    public (int Pid, SafeFd SyncWrite, SafeFd ExecRead) Clone(CloneStartInfo info)
    {
        var l = _layout;
        byte* path = _arena.CString(info.Path);
        byte** argv = _arena.CStringArray(info.Args);
        byte** envp = _arena.CStringArray(info.Env);
        byte* oneByte = _arena.Alloc(64);
        oneByte[0] = 1;
        byte* readBuf = _arena.Alloc(64);
        byte* sigDefault = _arena.Alloc(64); // struct k_sigaction { SIG_DFL, 0, NULL, 0 }

        var (syncRead, syncWrite) = Libc.Pipe2();
        var (execRead, execWrite) = Libc.Pipe2();
        var extras = new List<SafeFd>();
        try
        {
            int n = info.ExtraFds.Count;
            // Duplicates above the target range first, so that dup3 into 3..3+n-1 never clobbers a source.
            foreach (int fd in info.ExtraFds)
                extras.Add(new SafeFd(Libc.Check(Libc.Fcntl(fd, Libc.F_DUPFD_CLOEXEC, 3 + n), $"dup of fd {fd}")));

            if (info.ParentDeathSignal != 0) _steps.Add(new(l.SysPrctl, Libc.PR_SET_PDEATHSIG, info.ParentDeathSignal));
            _steps.Add(new(l.SysClose, syncWrite.Fd));
            _steps.Add(new(l.SysRead, syncRead.Fd, (long)readBuf, 1));
            if ((info.NamespaceFlags & CloneFlags.NewUser) != 0)
            {
                // Become root of the new user namespace once the parent has written the maps, so that
                // execve keeps the namespace's capabilities (fails harmlessly when 0 is not mapped).
                _steps.Add(new(l.SysSetresgid, 0, 0, 0));
                _steps.Add(new(l.SysSetresuid, 0, 0, 0));
            }
            if (info.NewSession) _steps.Add(new(l.SysSetsid));
            for (int i = 0; i < n; i++) _steps.Add(new(l.SysDup3, extras[i].Fd, 3 + i, 0));
            _steps.Add(new(l.SysCloseRange, 3 + n, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC));
            foreach (int sig in Libc.NonDefaultSignals()) _steps.Add(new(l.SysRtSigaction, sig, (long)sigDefault, 0, 8));
            int execStep = _steps.Count;
            _steps.Add(new(l.SysExecve, (long)path, (long)argv, (long)envp));
            _steps.Add(new(l.SysWrite, execWrite.Fd, (long)oneByte, 1));
            _steps.Add(new(l.SysExitGroup, 127));

            int ctxBytes = (l.Size + 63) & ~63;
            var contexts = new byte*[_steps.Count];
            for (int i = 0; i < contexts.Length; i++) contexts[i] = _arena.Alloc(ctxBytes + ContextStack);
            byte* cloneStack = _arena.Alloc(CloneStack);
            byte* allSignals = _arena.Alloc(SigSetBytes);
            new Span<byte>(allSignals, SigSetBytes).Fill(0xff);
            byte* savedMask = _arena.Alloc(SigSetBytes);

            int flags = CLONE_VM | Libc.SIGCHLD | (int)info.NamespaceFlags;
            Check(PthreadSigmask(SIG_SETMASK, allSignals, savedMask), "pthread_sigmask");
            int pid;
            try
            {
                // getcontext() here, with every signal blocked, so each context restores that mask.
                for (int i = 0; i < contexts.Length; i++)
                {
                    byte* uc = contexts[i];
                    Libc.Check(GetContext(uc), "getcontext");
                    *(nint*)(uc + l.UcLink) = i + 1 < contexts.Length ? (nint)contexts[i + 1] : 0;
                    *(nint*)(uc + l.StackPointer) = (nint)(uc + ctxBytes);
                    *(nint*)(uc + l.StackSize) = ContextStack;
                    Step s = _steps[i];
                    MakeContext(uc, s_syscall, 6, s.Nr, s.A1, s.A2, s.A3, s.A4, s.A5);
                }
                new Span<byte>(contexts[execStep] + l.SigMask, SigSetBytes).Clear();
                pid = CloneRaw(s_setcontext, cloneStack + CloneStack, flags, contexts[0]);
                if (pid == -1) Libc.ThrowErrno($"clone of {info.Path}");
            }
            finally
            {
                PthreadSigmask(SIG_SETMASK, savedMask, null);
            }
            return (pid, syncWrite, execRead);
        }
        catch
        {
            syncWrite.Dispose();
            execRead.Dispose();
            throw;
        }
        finally
        {
            syncRead.Dispose();
            execWrite.Dispose();
            foreach (var e in extras) e.Dispose();
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0) throw new ErrnoException(what, error);
    }

    public void Dispose() => _arena.Dispose();

    [LibraryImport("libc.so.6", EntryPoint = "getcontext", SetLastError = true)]
    private static partial int GetContext(byte* ucp);

    // makecontext(ucp, func, argc, ...): variadic, but on x86-64 and aarch64 Linux integer
    // arguments are passed exactly as for a fixed signature.
    [LibraryImport("libc.so.6", EntryPoint = "makecontext")]
    private static partial void MakeContext(byte* ucp, nint func, int argc, long a0, long a1, long a2, long a3, long a4, long a5);

    // clone(fn, stack, flags, arg, ...): glibc's assembly wrapper reads the fixed arguments only.
    [LibraryImport("libc.so.6", EntryPoint = "clone", SetLastError = true)]
    private static partial int CloneRaw(nint fn, byte* stack, int flags, byte* arg);

    [LibraryImport("libc.so.6", EntryPoint = "pthread_sigmask")]
    private static partial int PthreadSigmask(int how, byte* set, byte* oldset);
}
