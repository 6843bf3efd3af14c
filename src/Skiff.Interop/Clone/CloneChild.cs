using Skiff.Interop.Clone;

namespace Skiff.Interop;

// Why a process is started this way
// ---------------------------------
// A NativeAOT process already has a finalizer thread and a signal thread when Main starts, so
// unshare(CLONE_NEWUSER) fails with EINVAL (and unshare(CLONE_NEWNS) too: the threads share one
// fs_struct). Namespaces must therefore be created by clone(2) itself. And the child of a raw
// clone must run NO .NET code: returning into managed code after the clone hangs (every P/Invoke
// return polls the GC, and the child inherits a collection the parent had pending, whose other
// threads do not exist in the child).
//
// So the child runs only libc code, prepared by the parent before the clone:
//   clone(fn = setcontext, stack, CLONE_VM | SIGCHLD | CLONE_NEW*, arg = &context[0])
// Each context was made with getcontext()+makecontext() to call glibc's syscall(nr, a1..a5)
// (makecontext passes its arguments as 64-bit register values on x86-64 and aarch64), and its
// uc_link is the next context, so when one system call returns, __start_context setcontext()s
// the next one. The chain (see ChildChain):
//   prctl(PR_SET_PDEATHSIG) ; close(sync write end) ; read(sync read end, 1 byte)  <- blocks until Release()
//   [setresgid(0,0,0) ; setresuid(0,0,0) with CLONE_NEWUSER: root in the new namespace, as runc does]
//   [setsid] ; dup3(extra fd i, 3+i) ... ; close_range(3+n, ~0, CLOSE_RANGE_CLOEXEC)
//   rt_sigaction(sig, SIG_DFL) for every signal the parent handles or ignores ; execve(path, argv, envp)
//   write(exec pipe, 1 byte) ; exit_group(127)
// The parent blocks every signal around the clone, so the contexts (whose getcontext() saved that
// mask) run with all signals blocked; only the execve context carries an empty mask, so the program
// starts with no signal blocked, and with default handlers.
// CLONE_VM without CLONE_VFORK: the parent must be able to write uid/gid maps while the child
// waits; the child has its own stack and shares our memory, so every buffer it reads (contexts,
// stacks, argv, envp) lives in a NativeArena that is freed only after the exec pipe (O_CLOEXEC,
// its write end held by the child only) reports end of file: the child has exec'd or died.
// The clone happens on one dedicated, long-lived thread (CloneThread): the parent-death signal
// follows the creating thread. The child also shares that thread's TLS, so a failing syscall() in
// the chain writes that thread's errno: harmless only because CloneThread does nothing while a child
// is between clone and exec, which is one more reason no other thread may call clone. Known gap: a parent that dies between clone and the child's first
// step (prctl) leaves a child whose read() sees end of file and proceeds to exec.

/// <summary>A child process started in new namespaces, held before execve until <see cref="Release"/>.</summary>
public sealed class CloneChild : IDisposable
{
    private readonly ChildChain _chain;
    private SafeFd? _syncWrite;
    private SafeFd? _execRead;
    private bool _released;
    private int? _exitCode;

    private CloneChild(int pid, ChildChain chain, SafeFd syncWrite, SafeFd execRead)
    {
        Pid = pid;
        _chain = chain;
        _syncWrite = syncWrite;
        _execRead = execRead;
    }

    public int Pid { get; }

    /// <summary>Creates the child, blocked before execve.</summary>
    public static CloneChild Start(CloneStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!System.IO.Path.IsPathRooted(info.Path)) throw new ArgumentException($"clone: path {info.Path} is not absolute", nameof(info));
        if (info.Args.Count == 0) throw new ArgumentException("clone: argv is empty", nameof(info));
        if ((info.NamespaceFlags & ~CloneFlags.All) != 0) throw new ArgumentException($"clone: unknown namespace flags 0x{info.NamespaceFlags:x}", nameof(info));
        return CloneThread.Invoke(() =>
        {
            var chain = new ChildChain(UcontextLayout.Current);
            try
            {
                var (pid, syncWrite, execRead) = chain.Clone(info);
                return new CloneChild(pid, chain, syncWrite, execRead);
            }
            catch
            {
                chain.Dispose();
                throw;
            }
        });
    }

    /// <summary>Start and Release.</summary>
    public static CloneChild Run(CloneStartInfo info)
    {
        var child = Start(info);
        try { child.Release(); }
        catch { child.Dispose(); throw; }
        return child;
    }

    /// <summary>Lets the child continue to execve, and returns once it has exec'd (or died).</summary>
    public void Release()
    {
        if (_released) throw new InvalidOperationException("clone: the child was already released");
        _released = true;
        try { Libc.WriteAll(_syncWrite!.Fd, [1]); }
        catch (ErrnoException e) when (e.Errno == 32) { /* EPIPE: the child is gone; WaitForExit tells */ }
        _syncWrite!.Dispose();
        _syncWrite = null;
        Span<byte> b = stackalloc byte[1];
        Libc.Read(_execRead!.Fd, b); // 0 = exec'd (or died); 1 = execve failed, the child exits 127
        _execRead.Dispose();
        _execRead = null;
        _chain.Dispose();
    }

    /// <summary>Waits for the child: its exit code, or 128+signal when killed.</summary>
    public int WaitForExit()
    {
        if (_exitCode is int code) return code;
        if (!_released) throw new InvalidOperationException("clone: WaitForExit before Release would wait forever");
        Libc.WaitPid(Pid, out int status);
        _exitCode = ProcessExit.Decode(status);
        return _exitCode.Value;
    }

    /// <summary>A child never released is killed and reaped; a released one is left running.</summary>
    public void Dispose()
    {
        if (!_released)
        {
            _released = true;
            Libc.Kill(Pid, Libc.SIGKILL);
            Libc.WaitPid(Pid, out int status);
            _exitCode = ProcessExit.Decode(status);
            _syncWrite?.Dispose();
            _execRead?.Dispose();
            _chain.Dispose();
        }
    }
}
