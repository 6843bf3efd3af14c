using Skiff.Interop;

namespace Skiff.Runtime.Options;

// What the command line hands the lifecycle code, one record per verb (runc's flags, parsed and checked).
// The command-line side lives in src/Skiff.Runtime.Cli (CommandLine.cs, VerbTable.cs, OptionBinding.cs).

/// <summary>create [--bundle DIR] [--console-socket SOCK] [--pid-file F] [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID</summary>
public sealed record CreateOptions
{
    public required string Id { get; init; }
    /// <summary>The bundle directory as given (default: the current directory); the lifecycle makes it absolute.</summary>
    public string Bundle { get; init; } = ".";
    /// <summary>An AF_UNIX socket that receives the pty master (SCM_RIGHTS) when process.terminal is true.</summary>
    public string? ConsoleSocket { get; init; }
    public string? PidFile { get; init; }
    /// <summary>Move the root with MS_MOVE and chroot instead of pivot_root (a rootfs on a ramdisk).</summary>
    public bool NoPivot { get; init; }
    /// <summary>Keep the caller's session keyring instead of joining a new one.</summary>
    public bool NoNewKeyring { get; init; }
    /// <summary>Pass fds 3 .. 3+N-1 of the runtime (after $LISTEN_FDS ones) on to the container process.</summary>
    public int PreserveFds { get; init; }
    /// <summary>
    /// The command line to execute again from a sealed copy of the runtime when the config joins an existing
    /// pid namespace (create's clone is visible there before it executes the init); the CLI sets its own.
    /// </summary>
    public IReadOnlyList<string>? ReexecSealedWhenJoiningPid { get; init; }
    /// <summary>
    /// Takes the pty master of a process.terminal container in this process instead of sending it to a
    /// --console-socket (`run` in the foreground without one, as runc does).
    /// </summary>
    public Action<SafeFd>? ConsoleReceiver { get; init; }
}

/// <summary>run: create's flags plus --detach, --keep and --no-subreaper.</summary>
public sealed record RunOptions
{
    public required CreateOptions Create { get; init; }
    /// <summary>Return once the container runs instead of waiting for it.</summary>
    public bool Detach { get; init; }
    /// <summary>Keep the container's state after it exits (no delete).</summary>
    public bool Keep { get; init; }
    /// <summary>runc: do not become a child subreaper. skiff-runtime never becomes one, so this changes nothing.</summary>
    public bool NoSubreaper { get; init; }
}

/// <summary>start ID</summary>
public sealed record StartOptions(string Id);

/// <summary>state ID</summary>
public sealed record StateOptions(string Id);

/// <summary>kill [--all] ID [SIGNAL]</summary>
public sealed record KillOptions
{
    public required string Id { get; init; }
    /// <summary>The signal number (SIGTERM unless given by name or number).</summary>
    public int Signal { get; init; } = 15;
    /// <summary>Signal every process of the container (its cgroup), not only the init.</summary>
    public bool All { get; init; }
}

/// <summary>delete [--force] ID</summary>
public sealed record DeleteOptions
{
    public required string Id { get; init; }
    /// <summary>Kill (SIGKILL) a created or running container, and succeed when it does not exist.</summary>
    public bool Force { get; init; }
}

/// <summary>
/// exec [flags] ID [COMMAND [ARG...]]: a new process in a running container, given by --process FILE or by
/// COMMAND and the flags applied to the container's own process (see <see cref="ExecProcess.Build"/>).
/// </summary>
public sealed record ExecOptions
{
    public required string Id { get; init; }
    /// <summary>--process/-p: a process.json; the other process flags are then ignored, as by runc.</summary>
    public string? ProcessFile { get; init; }
    /// <summary>The command and its arguments (everything after the id).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];
    public string? ConsoleSocket { get; init; }
    public string? Cwd { get; init; }
    /// <summary>--env/-e K=V, in order; they replace a variable of the same name.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary>--tty/-t given (true or false); null leaves the terminal off, as runc does without -p.</summary>
    public bool? Tty { get; init; }
    /// <summary>--user/-u UID[:GID].</summary>
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
    /// <summary>--additional-gids/-g, added to the process's additional gids.</summary>
    public IReadOnlyList<uint> AdditionalGids { get; init; } = [];
    public bool Detach { get; init; }
    public string? PidFile { get; init; }
    /// <summary>--process-label: the SELinux label of the process.</summary>
    public string? ProcessLabel { get; init; }
    /// <summary>--apparmor: the AppArmor profile of the process.</summary>
    public string? AppArmorProfile { get; init; }
    /// <summary>--no-new-privs given (true or false); null keeps the container process's setting.</summary>
    public bool? NoNewPrivileges { get; init; }
    /// <summary>--cap/-c: capabilities added to all five sets.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public int PreserveFds { get; init; }
    /// <summary>--cgroup [CONTROLLER:]PATH: an existing sub-cgroup of the container to run in (per controller on v1).</summary>
    public IReadOnlyList<string> Cgroups { get; init; } = [];
    /// <summary>Allow exec into a paused container.</summary>
    public bool IgnorePaused { get; init; }
}
