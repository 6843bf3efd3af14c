using Skiff.Interop.Launch;

namespace Skiff.Interop;

/// <summary>What <see cref="CloneChild.Start"/> runs: a program, its argv and environment, and the namespaces it starts in.</summary>
public sealed class CloneStartInfo
{
    /// <summary>Absolute path given to execve (unless <see cref="ExecFd"/> is set).</summary>
    public string Path { get; init; } = "";
    /// <summary>An open executable to run with execveat(fd, "", AT_EMPTY_PATH) instead of <see cref="Path"/> (a sealed memfd).</summary>
    public int ExecFd { get; init; } = -1;
    /// <summary>argv, including argv[0].</summary>
    public required IReadOnlyList<string> Args { get; init; }
    /// <summary>The environment, "K=V" strings.</summary>
    public required IReadOnlyList<string> Env { get; init; }
    /// <summary>CLONE_NEW* bits (see <see cref="CloneFlags"/>).</summary>
    public ulong NamespaceFlags { get; init; }
    /// <summary>Signal sent to the child when the spawning thread dies; 0 for none.</summary>
    public int ParentDeathSignal { get; init; } = 9;
    /// <summary>Descriptors that become the child's stdin, stdout and stderr (as many as given; -1 keeps the parent's).</summary>
    public IReadOnlyList<int> StdioFds { get; init; } = [];
    /// <summary>Descriptors that become 3, 4, ... in the child.</summary>
    public IReadOnlyList<int> ExtraFds { get; init; } = [];
    /// <summary>
    /// A pid namespace (an open /proc/PID/ns/pid) the child is born into: a pid namespace cannot be entered by
    /// the process itself, only by its children, so the cloning thread joins it for the one clone.
    /// </summary>
    public int PidNamespaceFd { get; init; } = -1;
    /// <summary>setsid() before exec.</summary>
    public bool NewSession { get; init; }
    /// <summary>
    /// Steps after the child is released (and, with a new user namespace, is root in it) and before its
    /// descriptors are arranged: joining namespaces, for instance. Fds named here are the parent's numbers.
    /// </summary>
    public Action<SyscallProgram>? Setup { get; init; }
    /// <summary>
    /// The last steps before signals are unblocked and the program is executed, after the descriptors are
    /// arranged (identity, capabilities, seccomp). An fd used here must not be one of 3..3+ExtraFds.Count-1,
    /// which hold the extra fds by then.
    /// </summary>
    public Action<SyscallProgram>? Final { get; init; }
}

/// <summary>The CLONE_NEW* flags of clone(2).</summary>
public static class CloneFlags
{
    public const ulong NewNs = 0x20000, NewCgroup = 0x02000000, NewUts = 0x04000000, NewIpc = 0x08000000,
        NewUser = 0x10000000, NewPid = 0x20000000, NewNet = 0x40000000, NewTime = 0x80;

    /// <summary>Every namespace flag <see cref="CloneChild"/> accepts (a new time namespace comes from unshare, not clone).</summary>
    public const ulong All = NewNs | NewCgroup | NewUts | NewIpc | NewUser | NewPid | NewNet;
}

/// <summary>Turns a wait status into an exit code: the code itself, or 128+signal when killed.</summary>
public static class ProcessExit
{
    public static int Decode(int waitStatus)
    {
        int signal = waitStatus & 0x7f;
        if (signal == 0) return (waitStatus >> 8) & 0xff;
        return 128 + signal;
    }
}
