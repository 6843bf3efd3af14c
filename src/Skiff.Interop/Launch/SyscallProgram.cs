using System.Runtime.InteropServices;
using Skiff.Interop.Clone;

namespace Skiff.Interop.Launch;

/// <summary>
/// A list of system calls to make in order, stopping at the first one that fails: what a process does
/// between fork and exec (or, in the container's init, between setup and exec) - join namespaces, become a
/// user, drop capabilities, install seccomp, reset signals, execve. Built here in C#, where it can be read and
/// unit-tested as a list (<see cref="Steps"/>), and run by the native <see cref="LaunchRoutine"/>: in a cloned
/// child (<see cref="CloneChild"/>), or on the calling thread (<see cref="RunHere"/>).
/// All memory the steps point to (strings, argv, structs) lives in this object until it is disposed.
/// </summary>
/// <remarks>
/// Native layout read by native/launch-*.S: a 64-byte header {count, report_fd, exit_on_failure,
/// failed_index, failed_errno, 3 reserved} then 80-byte steps {nr, a1..a6, flags, expect, store_at}.
/// </remarks>
public sealed unsafe class SyscallProgram : IDisposable
{
    private const int HeaderBytes = 64, StepBytes = 80;

    [Flags]
    public enum StepFlags : long
    {
        None = 0,
        /// <summary>A failure is not an error: the next step runs.</summary>
        MayFail = 1,
        /// <summary>The result must equal the step's expected value (errno 0 is reported otherwise).</summary>
        Expect = 2,
        /// <summary>The result (value or -errno) is stored at the step's address.</summary>
        Store = 4,
    }

    /// <summary>One system call: <paramref name="What"/> says what it does, in words, for errors and tests.</summary>
    public sealed record Step(string What, Sys Call, long A1, long A2, long A3, long A4, long A5, long A6,
        StepFlags Flags, long Expect, nint StoreAt);

    private readonly NativeArena _arena = new();
    private readonly List<Step> _steps = [];
    private readonly Architecture _architecture;

    public SyscallProgram(Architecture? architecture = null) =>
        _architecture = architecture ?? RuntimeInformation.ProcessArchitecture;

    public IReadOnlyList<Step> Steps => _steps;

    /// <summary>The steps in words, one per call ("set the user id to 1000").</summary>
    public IEnumerable<string> Describe() => _steps.Select(s => s.What);

    public void Add(string what, Sys call, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0,
        StepFlags flags = StepFlags.None, long expect = 0, nint storeAt = 0)
    {
        if ((flags & StepFlags.Store) != 0 && storeAt == 0) throw new ArgumentException("a storing step needs an address", nameof(storeAt));
        _steps.Add(new Step(what, call, a1, a2, a3, a4, a5, a6, flags, expect, storeAt));
    }

    // ---- memory the steps point to ----

    public byte* CString(string s) => _arena.CString(s);
    public byte** CStringArray(IReadOnlyList<string> items) => _arena.CStringArray(items);

    public byte* Bytes(ReadOnlySpan<byte> data)
    {
        byte* p = _arena.Alloc(Math.Max(data.Length, 1));
        data.CopyTo(new Span<byte>(p, data.Length));
        return p;
    }

    /// <summary>Zeroed native memory, valid until dispose.</summary>
    public byte* Alloc(int size) => _arena.Alloc(size);

    /// <summary>An 8-byte cell for a stored result (<see cref="StepFlags.Store"/>).</summary>
    public long* Slot() => (long*)_arena.Alloc(8);

    // ---- the calls, typed ----

    public void Close(int fd, string? what = null) => Add(what ?? $"close fd {fd}", Sys.Close, fd);

    /// <summary>read(fd, 1 byte) that must return exactly one byte: end of file (the writer is gone) fails the program.</summary>
    public void WaitForByte(int fd, string what) => Add(what, Sys.Read, fd, (long)Alloc(8), 1, flags: StepFlags.Expect, expect: 1);

    public void Write(int fd, ReadOnlySpan<byte> data, string what) =>
        Add(what, Sys.Write, fd, (long)Bytes(data), data.Length, flags: StepFlags.Expect, expect: data.Length);

    public void Prctl(string what, int option, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, StepFlags flags = StepFlags.None) =>
        Add(what, Sys.Prctl, option, a2, a3, a4, a5, flags: flags);

    public void SetParentDeathSignal(int signal) => Prctl($"ask for signal {signal} when the parent dies", Libc.PR_SET_PDEATHSIG, signal);

    public void Setsid() => Add("start a new session", Sys.Setsid);

    public void Dup3(int from, int to) => Add($"make fd {to} a copy of fd {from}", Sys.Dup3, from, to, 0);

    /// <summary>Marks every fd from <paramref name="first"/> up close-on-exec (close_range, Linux 5.11).</summary>
    public void CloseOnExecFrom(int first) =>
        Add($"mark fds {first} and up close-on-exec (close_range, Linux 5.11 or later)", Sys.CloseRange, first, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC);

    /// <summary>Every catchable signal back to SIG_DFL (the raw call also reaches 32 and 33, which glibc keeps).</summary>
    public void ResetSignalDispositions()
    {
        byte* sigDefault = Alloc(32); // struct k_sigaction { SIG_DFL, flags 0, restorer 0, mask 0 }
        for (int sig = 1; sig <= 64; sig++)
        {
            if (sig is 9 or 19) continue; // SIGKILL and SIGSTOP cannot change
            Add($"reset signal {sig} to its default action", Sys.RtSigaction, sig, (long)sigDefault, 0, 8, flags: StepFlags.MayFail);
        }
    }

    public void BlockAllSignals()
    {
        byte* all = Alloc(8);
        *(ulong*)all = ulong.MaxValue;
        Add("block every signal", Sys.RtSigprocmask, 2 /* SIG_SETMASK */, (long)all, 0, 8);
    }

    public void UnblockAllSignals() => Add("unblock every signal", Sys.RtSigprocmask, 2 /* SIG_SETMASK */, (long)Alloc(8), 0, 8);

    public void Setns(int fd, ulong namespaceFlag, string what) => Add(what, Sys.Setns, fd, (long)namespaceFlag);

    public void Chdir(string path) => Add($"change directory to {path}", Sys.Chdir, (long)CString(path));

    public void Fchdir(int fd, string what) => Add(what, Sys.Fchdir, fd);

    public void SetGroups(IReadOnlyList<uint> groups, StepFlags flags = StepFlags.None)
    {
        uint* list = (uint*)Alloc(Math.Max(groups.Count, 1) * 4);
        for (int i = 0; i < groups.Count; i++) list[i] = groups[i];
        string what = groups.Count == 0 ? "clear the supplementary groups" : $"set the supplementary groups to {string.Join(',', groups)}";
        Add(what, Sys.Setgroups, groups.Count, (long)list, flags: flags);
    }

    public void SetResGid(uint gid, StepFlags flags = StepFlags.None) => Add($"set the group id to {gid}", Sys.Setresgid, gid, gid, gid, flags: flags);

    public void SetResUid(uint uid, StepFlags flags = StepFlags.None) => Add($"set the user id to {uid}", Sys.Setresuid, uid, uid, uid, flags: flags);

    /// <summary>capset(2) version 3 for the calling thread.</summary>
    public void Capset(ulong effective, ulong permitted, ulong inheritable)
    {
        uint* header = (uint*)Alloc(8);
        header[0] = 0x20080522; // _LINUX_CAPABILITY_VERSION_3
        uint* data = (uint*)Alloc(24);
        data[0] = (uint)effective; data[1] = (uint)permitted; data[2] = (uint)inheritable;
        data[3] = (uint)(effective >> 32); data[4] = (uint)(permitted >> 32); data[5] = (uint)(inheritable >> 32);
        Add($"set the capabilities (effective {effective:x}, permitted {permitted:x}, inheritable {inheritable:x})", Sys.Capset, (long)header, (long)data);
    }

    public void Umask(uint mask) => Add($"set the umask to {Convert.ToString(mask, 8).PadLeft(4, '0')}", Sys.Umask, mask);

    public void Prlimit(int resource, string name, ulong soft, ulong hard, StepFlags flags = StepFlags.None)
    {
        ulong* limit = (ulong*)Alloc(16);
        limit[0] = soft; limit[1] = hard;
        Add($"set {name} to {soft}/{hard}", Sys.Prlimit64, 0, resource, (long)limit, 0, flags: flags);
    }

    public void Personality(ulong persona) => Add($"set the personality to 0x{persona:x}", Sys.Personality, (long)persona);

    public void Ioctl(int fd, ulong request, long arg, string what, StepFlags flags = StepFlags.None) =>
        Add(what, Sys.Ioctl, fd, (long)request, arg, flags: flags);

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER, flags, &amp;prog); with a listener, the new fd is stored at <paramref name="listenerFdAt"/>.</summary>
    public void InstallSeccompFilter(ReadOnlySpan<byte> program, ulong flags, long* listenerFdAt = null)
    {
        if (program.Length % 8 != 0 || program.Length == 0) throw new ArgumentException("a seccomp program is a non-empty array of 8-byte instructions", nameof(program));
        byte* code = Bytes(program);
        byte* fprog = Alloc(16); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
        *(ushort*)fprog = (ushort)(program.Length / 8);
        *(nint*)(fprog + 8) = (nint)code;
        Add($"install the seccomp filter ({program.Length / 8} instructions)", Sys.Seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, (long)flags, (long)fprog,
            flags: listenerFdAt is null ? StepFlags.None : StepFlags.Store, storeAt: (nint)listenerFdAt);
    }

    public void Execve(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp) =>
        Add($"execute {path}", Sys.Execve, (long)CString(path), (long)CStringArray(argv), (long)CStringArray(envp));

    /// <summary>execveat(fd, "", argv, envp, AT_EMPTY_PATH): runs the file open at <paramref name="fd"/>.</summary>
    public void Execveat(int fd, IReadOnlyList<string> argv, IReadOnlyList<string> envp, string what) =>
        Add(what, Sys.Execveat, fd, (long)CString(""), (long)CStringArray(argv), (long)CStringArray(envp), Libc.AT_EMPTY_PATH);

    // ---- running it ----

    /// <summary>Lays the program out for the routine; the result lives until dispose.</summary>
    internal byte* Build(long reportFd, bool exitOnFailure)
    {
        byte* p = Alloc(HeaderBytes + StepBytes * _steps.Count);
        long* header = (long*)p;
        header[0] = _steps.Count;
        header[1] = reportFd;
        header[2] = exitOnFailure ? 1 : 0;
        for (int i = 0; i < _steps.Count; i++)
        {
            var s = _steps[i];
            long* step = (long*)(p + HeaderBytes + StepBytes * i);
            step[0] = SyscallNumbers.Of(s.Call, _architecture);
            step[1] = s.A1; step[2] = s.A2; step[3] = s.A3; step[4] = s.A4; step[5] = s.A5; step[6] = s.A6;
            step[7] = (long)s.Flags;
            step[8] = s.Expect;
            step[9] = s.StoreAt;
        }
        return p;
    }

    /// <summary>The step that failed, decoded from the two words the routine reports.</summary>
    internal LaunchException FailureAt(long index, long errno)
    {
        string what = index >= 0 && index < _steps.Count ? _steps[(int)index].What : $"step {index}";
        return new LaunchException(what, (int)errno);
    }

    /// <summary>
    /// Runs the program on this thread. A program that ends in a successful execve does not return; one
    /// without exec returns once every step succeeded; a failing step throws <see cref="LaunchException"/>.
    /// </summary>
    public void RunHere()
    {
        if (_architecture != RuntimeInformation.ProcessArchitecture) throw new InvalidOperationException("the program was built for another architecture");
        byte* p = Build(reportFd: -1, exitOnFailure: false);
        var routine = (delegate* unmanaged<byte*, long>)LaunchRoutine.Entry;
        long result = routine(p);
        if (result != 0) throw FailureAt(((long*)p)[3], ((long*)p)[4]);
    }

    public void Dispose() => _arena.Dispose();
}

/// <summary>A step of a <see cref="SyscallProgram"/> failed: what it was doing, and the errno (0: an unexpected result).</summary>
public sealed class LaunchException : IOException
{
    public int Errno { get; }
    public string Step { get; } = "";

    public LaunchException(string step, int errno)
        : base(errno == 0 ? $"{step}: unexpected result" : $"{step}: {Libc.StrError(errno)}")
    {
        Step = step;
        Errno = errno;
    }

    public LaunchException() { }
    public LaunchException(string message) : base(message) { }
    public LaunchException(string message, Exception inner) : base(message, inner) { }
}
