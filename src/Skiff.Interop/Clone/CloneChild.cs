using System.Runtime.InteropServices;
using Skiff.Interop.Clone;
using Skiff.Interop.Launch;

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
// So the child runs only the native launch routine (Launch/LaunchRoutine.cs): glibc's
//   clone(fn = skiff_launch, stack, CLONE_VM | SIGCHLD | CLONE_NEW*, arg = program)
// where the program (Launch/SyscallProgram.cs) is the list of system calls the child makes:
//   prctl(PR_SET_PDEATHSIG) ; close(sync write end) ; read(sync read end, 1 byte) == 1   <- waits for Release()
//   [setresgid(0) ; setresuid(0) with CLONE_NEWUSER: root in the new namespace, as runc does; may fail]
//   [setsid] ; Setup steps ; dup3(extra fd i, 3+i) ... ; close_range(3+n, ~0, CLOSE_RANGE_CLOEXEC)
//   rt_sigaction(sig, SIG_DFL) for every signal ; Final steps ; rt_sigprocmask(unblock all) ; execve/execveat
// The routine stops at the first failing step, writes {step index, errno} to the report pipe and calls
// exit_group(127); the parent turns that into LaunchError. The read of the sync pipe also catches a parent
// that died before the child set its parent-death signal: the pipe reports end of file, the step fails.
// Every fd the routine itself needs after the dup3 steps (the report pipe, an ExecFd) is first moved above
// 3+n so the dup3 steps cannot clobber it.
// The parent blocks every signal around the clone, so the child starts with all signals blocked and
// unblocks them only right before execve, after resetting every disposition to the default.
// CLONE_VM without CLONE_VFORK: the parent must be able to write uid/gid maps while the child
// waits; the child has its own stack and shares our memory, so everything it reads lives in the program's
// native memory, freed only after the report pipe (O_CLOEXEC, its write end held by the child only) reports
// end of file: the child has exec'd or died.
// The clone happens on the main thread when called there, else on one dedicated, long-lived thread
// (CloneThread): the parent-death signal follows the creating thread, and the main thread ends only with the process.
// A clone into another pid namespace without a parent-death signal (exec) runs on a thread of its own that ends after
// it instead, so the thread's pid_for_children never has to be set back (refused when the caller is not privileged
// over its own pid namespace).

/// <summary>A child process started in new namespaces, held before execve until <see cref="Release"/>.</summary>
public sealed partial class CloneChild : IDisposable
{
    private const int CloneStack = 64 * 1024;
    private const int SIG_SETMASK = 2;
    private const int CLONE_VM = 0x100;

    private readonly SyscallProgram _program;
    private SafeFd? _syncWrite;
    private SafeFd? _report;
    private bool _released;
    private int? _exitCode;

    private CloneChild(int pid, SyscallProgram program, SafeFd syncWrite, SafeFd report)
    {
        Pid = pid;
        _program = program;
        _syncWrite = syncWrite;
        _report = report;
    }

    public int Pid { get; }

    /// <summary>After <see cref="Release"/>: why the child did not get to run its program (it exits 127), or null.</summary>
    public LaunchException? LaunchError { get; private set; }

    /// <summary>Creates the child, blocked before execve.</summary>
    public static CloneChild Start(CloneStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.ExecFd < 0 && !System.IO.Path.IsPathRooted(info.Path)) throw new ArgumentException($"clone: path {info.Path} is not absolute", nameof(info));
        if (info.Args.Count == 0) throw new ArgumentException("clone: argv is empty", nameof(info));
        if ((info.NamespaceFlags & ~CloneFlags.All) != 0) throw new ArgumentException($"clone: unknown namespace flags 0x{info.NamespaceFlags:x}", nameof(info));
        // A child in another pid namespace with no parent-death signal is cloned by a thread that ends right after, so
        // its pid_for_children is never set back: the kernel refuses that return when our credentials are not
        // privileged over our own pid namespace (rootless, entering a container with a user namespace of its own).
        if (info.PidNamespaceFd >= 0 && info.ParentDeathSignal == 0) return StartOnShortLivedThread(info);
        // The main thread lives as long as the process: it may be the parent itself (no hand-off to CloneThread).
        return Libc.Gettid() == Environment.ProcessId ? StartHere(info, restorePidNamespace: true)
            : CloneThread.Invoke(() => StartHere(info, restorePidNamespace: true));
    }

    private static CloneChild StartOnShortLivedThread(CloneStartInfo info)
    {
        CloneChild? child = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { child = StartHere(info, restorePidNamespace: false); }
            catch (Exception e) { error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        })
        { IsBackground = true, Name = "skiff-clone-once" };
        thread.Start();
        thread.Join();
        error?.Throw();
        return child!;
    }

    private static CloneChild StartHere(CloneStartInfo info, bool restorePidNamespace)
    {
        var program = new SyscallProgram();
        try
        {
            var (pid, syncWrite, report) = Clone(program, info, restorePidNamespace);
            return new CloneChild(pid, program, syncWrite, report);
        }
        catch
        {
            program.Dispose();
            throw;
        }
    }

    /// <summary>Start and Release.</summary>
    public static CloneChild Run(CloneStartInfo info)
    {
        var child = Start(info);
        try { child.Release(); }
        catch { child.Dispose(); throw; }
        return child;
    }

    private static unsafe (int Pid, SafeFd SyncWrite, SafeFd Report) Clone(SyscallProgram program, CloneStartInfo info, bool restorePidNamespace)
    {
        int n = info.ExtraFds.Count;
        int firstFree = 3 + n;
        var (syncRead, syncWrite) = Libc.Pipe2();
        var (reportRead, reportWrite) = Libc.Pipe2();
        var moved = new List<SafeFd>();
        SafeFd Above(int fd) { var d = new SafeFd(Libc.Check(Libc.Fcntl(fd, Libc.F_DUPFD_CLOEXEC, firstFree), $"dup of fd {fd}")); moved.Add(d); return d; }
        try
        {
            // Sources of the dup3 steps and every fd used after them must lie above the range they fill.
            var extras = info.ExtraFds.Select(Above).ToList();
            if (info.StdioFds.Count > 3) throw new ArgumentException("at most three stdio descriptors", nameof(info));
            var stdio = info.StdioFds.Select(fd => fd < 0 ? -1 : Above(fd).Fd).ToList();
            int reportFd = Above(reportWrite.Fd).Fd;
            int execFd = info.ExecFd >= 0 ? Above(info.ExecFd).Fd : -1;

            if (info.ParentDeathSignal != 0) program.SetParentDeathSignal(info.ParentDeathSignal);
            program.Close(syncWrite.Fd, "close the parent's end of the sync pipe");
            program.WaitForByte(syncRead.Fd, "wait for the parent to release the child (end of file: the parent is gone)");
            if ((info.NamespaceFlags & CloneFlags.NewUser) != 0)
            {
                // Become root of the new user namespace once the parent has written the maps, so that execve
                // keeps the namespace's capabilities (fails harmlessly when 0 is not mapped).
                program.SetResGid(0, SyscallProgram.StepFlags.MayFail);
                program.SetResUid(0, SyscallProgram.StepFlags.MayFail);
            }
            if (info.NewSession) program.Setsid();
            info.Setup?.Invoke(program);
            for (int i = 0; i < stdio.Count; i++)
                if (stdio[i] >= 0) program.Dup3(stdio[i], i);
            for (int i = 0; i < n; i++) program.Dup3(extras[i].Fd, 3 + i);
            program.CloseOnExecFrom(firstFree);
            program.ResetSignalDispositions();
            info.Final?.Invoke(program);
            program.UnblockAllSignals();
            if (execFd >= 0) program.Execveat(execFd, info.Args, info.Env, $"execute {info.Args[0]} from fd {execFd}");
            else program.Execve(info.Path, info.Args, info.Env);

            byte* image = program.Build(reportFd, exitOnFailure: true);
            byte* stack = program.Alloc(CloneStack);
            byte* allSignals = program.Alloc(128);
            new Span<byte>(allSignals, 128).Fill(0xff);
            byte* savedMask = program.Alloc(128);
            int flags = CLONE_VM | Libc.SIGCHLD | (int)info.NamespaceFlags;
            int error = PthreadSigmask(SIG_SETMASK, allSignals, savedMask);
            if (error != 0) throw new ErrnoException("pthread_sigmask", error);
            int pid;
            using var ownPidNamespace = info.PidNamespaceFd >= 0 ? JoinPidNamespaceForOneClone(info.PidNamespaceFd, restorePidNamespace) : null;
            try
            {
                pid = CloneRaw(LaunchRoutine.Entry, stack + CloneStack, flags, image);
                if (pid == -1) Libc.ThrowErrno($"clone of {info.Args[0]}");
            }
            finally
            {
                PthreadSigmask(SIG_SETMASK, savedMask, null);
                if (ownPidNamespace is not null) LeavePidNamespace(ownPidNamespace);
            }
            return (pid, syncWrite, reportRead);
        }
        catch
        {
            syncWrite.Dispose();
            reportRead.Dispose();
            throw;
        }
        finally
        {
            syncRead.Dispose();
            reportWrite.Dispose();
            foreach (var fd in moved) fd.Dispose();
        }
    }

    /// <summary>Points this thread's pid_for_children at <paramref name="fd"/>; returns its own, to go back to (unless <paramref name="restore"/> is false: the thread ends after the clone).</summary>
    private static SafeFd? JoinPidNamespaceForOneClone(int fd, bool restore)
    {
        if (!restore)
        {
            Libc.Check(Libc.Setns(fd, (int)CloneFlags.NewPid), "join the pid namespace");
            return null;
        }
        var own = Libc.OpenFd("/proc/thread-self/ns/pid", Libc.O_RDONLY);
        try
        {
            Libc.Check(Libc.Setns(fd, (int)CloneFlags.NewPid), "join the pid namespace");
            return own;
        }
        catch
        {
            own.Dispose();
            throw;
        }
    }

    private static void LeavePidNamespace(SafeFd own)
    {
        // Failing to return would put every later child of this thread in the container's pid namespace.
        if (Libc.Setns(own.Fd, (int)CloneFlags.NewPid) != 0)
            Environment.FailFast("the clone thread could not return to its own pid namespace");
    }

    /// <summary>
    /// Lets the child continue to execve, and returns once it has exec'd or died; when a step failed,
    /// <see cref="LaunchError"/> says which (the child exits 127).
    /// </summary>
    public void Release()
    {
        if (_released) throw new InvalidOperationException("clone: the child was already released");
        _released = true;
        try { Libc.WriteAll(_syncWrite!.Fd, [1]); }
        catch (ErrnoException e) when (e.Errno == Errno.EPIPE) { /* the child is gone; the report pipe tells */ }
        _syncWrite!.Dispose();
        _syncWrite = null;
        // Read to end of file, not just the record: the child still runs the routine (in our memory) until it exits.
        byte[] record = Libc.ReadToEnd(_report!.Fd, 64);
        _report.Dispose();
        _report = null;
        if (record.Length >= 16)
            LaunchError = _program.FailureAt(BitConverter.ToInt64(record, 0), BitConverter.ToInt64(record, 8));
        _program.Dispose();
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
            _report?.Dispose();
            _program.Dispose();
        }
    }

    // clone(fn, stack, flags, arg, ...): glibc's assembly wrapper reads the fixed arguments only.
    [LibraryImport(Libc.Name, EntryPoint = "clone", SetLastError = true)]
    private static unsafe partial int CloneRaw(nint fn, byte* stack, int flags, byte* arg);

    [LibraryImport(Libc.Name, EntryPoint = "pthread_sigmask")]
    private static unsafe partial int PthreadSigmask(int how, byte* set, byte* oldset);
}
