namespace Skiff.Runtime.Cli;

/// <summary>
/// The verbs and flags of runc 1.1 (`runc --help`, `runc VERB --help`), with runc's names, short forms and kinds.
/// A flag runc has that this runtime ignores or refuses says why in its Note.
/// </summary>
public static class VerbTable
{
    private static FlagSpec Value(string name, string help, string? shortName = null) => new(name, FlagKind.Value, help) { Short = shortName };
    private static FlagSpec List(string name, string help, string? shortName = null) => new(name, FlagKind.List, help) { Short = shortName };
    private static FlagSpec Switch(string name, string help, string? shortName = null) => new(name, FlagKind.Switch, help) { Short = shortName };

    public static IReadOnlyList<FlagSpec> Global { get; } =
    [
        Switch("debug", "enable debug logging"),
        Value("log", "set the log file to write the runtime's logs to (default is stderr)"),
        Value("log-format", "set the log format ('text' (default), or 'json')") with { Default = "text" },
        Value("root", "root directory for storage of container state (this should be located in tmpfs)") with { Default = RuntimeOptions.DefaultRoot() },
        // Accepted because podman and scripts pass it to any runc-compatible runtime; checkpoint/restore are refused anyway.
        Value("criu", "path to the criu binary used for checkpoint and restore") with
            { Default = "criu", Support = FlagSupport.Ignored, Note = "checkpoint and restore are not supported, so no criu is ever run" },
        // --systemd-cgroup chooses the cgroup manager; --rootless whether cgroup permission errors are ignored (auto:
        // when the runtime is not root of the initial user namespace), kept in the container's state for later verbs.
        Switch("systemd-cgroup", "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. \"system.slice:runc:434234\""),
        Value("rootless", "ignore cgroup permission errors ('true', 'false', or 'auto')") with { Default = "auto" },
        Switch("help", "show help", "h"),
        Switch("version", "print the version", "v"),
    ];

    private static readonly FlagSpec Bundle = Value("bundle", "path to the root of the bundle directory, defaults to the current directory", "b");
    private static readonly FlagSpec ConsoleSocket = Value("console-socket", "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal");
    private static readonly FlagSpec PidFile = Value("pid-file", "specify the file to write the process id to");
    private static readonly FlagSpec NoPivot = Switch("no-pivot", "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk");
    private static readonly FlagSpec NoNewKeyring = Switch("no-new-keyring", "do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key");
    private static readonly FlagSpec PreserveFds = Value("preserve-fds", "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)") with { Default = "0" };
    private static readonly FlagSpec Format = Value("format", "select one of: table or json", "f") with { Default = "table" };
    private const string Id = "<container-id>";

    public static VerbSpec Help { get; } = new("help", "Shows a list of commands or help for one command", "[command]") { MaxOperands = 1, Aliases = ["h"] };
    public static VerbSpec Version { get; } = new("version", "print the version", "") { Hidden = true };

    public static IReadOnlyList<VerbSpec> Verbs { get; } =
    [
        new("checkpoint", "checkpoint a running container", Id)
        {
            MinOperands = 1, MaxOperands = -1,
            NotSupported = "checkpoint is not supported: skiff-runtime has no CRIU support",
        },
        new("create", "create a container", Id)
        {
            MinOperands = 1, MaxOperands = 1,
            Flags = [Bundle, ConsoleSocket, PidFile, NoPivot, NoNewKeyring, PreserveFds],
        },
        new("delete", "delete any resources held by the container often used with detached container", Id)
        {
            MinOperands = 1, MaxOperands = 1,
            Flags = [Switch("force", "Forcibly deletes the container if it is still running (uses SIGKILL)", "f")],
        },
        new("events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics", Id)
        {
            MinOperands = 1, MaxOperands = 1,
            Flags = [Value("interval", "set the stats collection interval") with { Default = "5s" }, Switch("stats", "display the container's stats then exit")],
        },
        new("exec", "execute new process inside the container", $"{Id} <command> [command options]  || -p process.json {Id}")
        {
            MinOperands = 1, MaxOperands = -1, FlagsEndAtFirstOperand = true,
            Flags =
            [
                ConsoleSocket,
                Value("cwd", "current working directory in the container"),
                List("env", "set environment variables", "e"),
                Switch("tty", "allocate a pseudo-TTY", "t"),
                Value("user", "UID (format: <uid>[:<gid>])", "u"),
                List("additional-gids", "additional gids", "g"),
                Value("process", "path to the process.json", "p"),
                Switch("detach", "detach from the container's process", "d"),
                PidFile,
                Value("process-label", "set the asm process label for the process commonly used with selinux"),
                Value("apparmor", "set the apparmor profile for the process"),
                Switch("no-new-privs", "set the no new privileges value for the process"),
                List("cap", "add a capability to the bounding set for the process", "c"),
                PreserveFds,
                List("cgroup", "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>."),
                Switch("ignore-paused", "allow exec in a paused container"),
            ],
        },
        new("features", "show the enabled features", "") { MaxOperands = 0 },
        new("kill", "kill sends the specified signal (default: SIGTERM) to the container's init process", $"{Id} [signal]")
        {
            MinOperands = 1, MaxOperands = 2,
            Flags = [Switch("all", "send the specified signal to all processes inside the container", "a")],
        },
        new("list", "lists containers started by skiff-runtime with the given root", "")
        {
            MaxOperands = 0,
            Flags = [Format, Switch("quiet", "display only container IDs", "q")],
        },
        new("pause", "pause suspends all processes inside the container", Id) { MinOperands = 1, MaxOperands = 1 },
        new("ps", "ps displays the processes running inside a container", $"{Id} [ps options]")
        {
            MinOperands = 1, MaxOperands = -1, FlagsEndAtFirstOperand = true,
            Flags = [Format],
        },
        new("restore", "restore a container from a previous checkpoint", Id)
        {
            MinOperands = 1, MaxOperands = -1,
            NotSupported = "restore is not supported: skiff-runtime has no CRIU support",
        },
        new("resume", "resumes all processes that have been previously paused", Id) { MinOperands = 1, MaxOperands = 1 },
        new("run", "create and run a container", Id)
        {
            MinOperands = 1, MaxOperands = 1,
            Flags =
            [
                Bundle, ConsoleSocket,
                Switch("detach", "detach from the container's process", "d"),
                Switch("keep", "do not delete the container after it exits"),
                PidFile,
                // skiff-runtime run never makes itself a child subreaper, so asking it not to changes nothing.
                Switch("no-subreaper", "disable the use of the subreaper used to reap reparented processes") with
                    { Support = FlagSupport.Ignored, Note = "skiff-runtime run is never a subreaper" },
                NoPivot, NoNewKeyring, PreserveFds,
            ],
        },
        new("spec", "create a new specification file", "")
        {
            MaxOperands = 0,
            Flags = [Value("bundle", "path to the root of the bundle directory", "b"), Switch("rootless", "generate a configuration for a rootless container")],
        },
        new("start", "executes the user defined process in a created container", Id) { MinOperands = 1, MaxOperands = 1 },
        new("state", "output the state of a container", Id) { MinOperands = 1, MaxOperands = 1 },
        new("update", "update container resource constraints", Id)
        {
            MinOperands = 1, MaxOperands = 1,
            Flags =
            [
                Value("resources", "path to the file containing the resources to update or '-' to read from the standard input", "r"),
                Value("blkio-weight", "Specifies per cgroup weight, range is from 10 to 1000") with { Default = "0" },
                Value("cpu-period", "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"),
                Value("cpu-quota", "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"),
                Value("cpu-share", "CPU shares (relative weight vs. other containers)"),
                Value("cpu-rt-period", "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"),
                Value("cpu-rt-runtime", "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"),
                Value("cpuset-cpus", "CPU(s) to use"),
                Value("cpuset-mems", "Memory node(s) to use"),
                Value("memory", "Memory limit (in bytes)"),
                Value("memory-reservation", "Memory reservation or soft_limit (in bytes)"),
                Value("memory-swap", "Total memory usage (memory + swap); set '-1' to enable unlimited swap"),
                Value("pids-limit", "Maximum number of pids allowed in the container") with { Default = "0" },
                Value("l3-cache-schema", "The string of Intel RDT/CAT L3 cache schema") with
                    { Support = FlagSupport.NotSupported, Note = "Intel RDT is not supported by skiff-runtime" },
                Value("mem-bw-schema", "The string of Intel RDT/MBA memory bandwidth schema") with
                    { Support = FlagSupport.NotSupported, Note = "Intel RDT is not supported by skiff-runtime" },
            ],
        },
        Help,
        Version,
    ];

    public static VerbSpec? Find(string name) => Verbs.FirstOrDefault(v => v.Name == name || v.Aliases.Contains(name));
}
