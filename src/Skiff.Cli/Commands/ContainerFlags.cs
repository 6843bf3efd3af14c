using System.CommandLine;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

/// <summary>The flags `create` and `run` share (podman's), and the <see cref="RunOptions"/> they make.</summary>
public sealed class ContainerFlags
{
    private readonly Option<bool> _rm = new("--rm") { Description = "Remove the container when it exits" };
    private readonly Option<string[]> _env = new("--env", "-e") { Description = "Set environment variables (NAME=VALUE, or NAME to copy the host's)" };
    private readonly Option<string[]> _envFile = new("--env-file") { Description = "Read environment variables from a file" };
    private readonly Option<string?> _workdir = new("--workdir", "-w") { Description = "Working directory inside the container" };
    private readonly Option<string?> _user = new("--user", "-u") { Description = "Username or UID, with an optional group (user[:group])" };
    private readonly Option<string?> _entrypoint = new("--entrypoint") { Description = "Override the image's ENTRYPOINT" };
    private readonly Option<string?> _name = new("--name") { Description = "Name the container" };
    private readonly Option<string?> _hostname = new("--hostname", "-h") { Description = "Hostname of the container" };
    private readonly Option<bool> _interactive = new("--interactive", "-i") { Description = "Keep STDIN open" };
    private readonly Option<bool> _tty = new("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
    private readonly Option<bool?> _tlsVerify = new("--tls-verify") { Description = "Require HTTPS and verify certificates when pulling" };
    private readonly Option<string[]> _capAdd = new("--cap-add") { Description = "Add capabilities to the container (or \"all\")" };
    private readonly Option<string[]> _capDrop = new("--cap-drop") { Description = "Drop capabilities from the container (or \"all\")" };
    private readonly Option<bool> _privileged = new("--privileged") { Description = "Give the container every capability and device, without seccomp or masked paths" };
    private readonly Option<string[]> _securityOpt = new("--security-opt") { Description = "Security options: seccomp=PATH|unconfined, no-new-privileges, mask=PATHS, unmask=PATHS|ALL" };
    private readonly Option<bool> _readOnly = new("--read-only") { Description = "Mount the container's root read-only (with writable tmpfs on /run, /tmp, /var/tmp)" };
    private readonly Option<string?> _memory = new("--memory", "-m") { Description = "Memory limit (format: <number>[<unit>], where unit = b, k, m or g)" };
    private readonly Option<string?> _memorySwap = new("--memory-swap") { Description = "Memory plus swap limit (-1: unlimited swap)" };
    private readonly Option<string?> _memoryReservation = new("--memory-reservation") { Description = "Memory soft limit" };
    private readonly Option<string?> _cpus = new("--cpus") { Description = "Number of CPUs" };
    private readonly Option<string?> _cpuShares = new("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };
    private readonly Option<string?> _cpusetCpus = new("--cpuset-cpus") { Description = "CPUs in which to allow execution (0-3, 0,1)" };
    private readonly Option<string?> _cpusetMems = new("--cpuset-mems") { Description = "Memory nodes in which to allow execution (0-3, 0,1)" };
    private readonly Option<string?> _pidsLimit = new("--pids-limit") { Description = "Tune the container's pids limit (-1 for unlimited)" };
    private readonly Option<string?> _restart = new("--restart") { Description = "Restart policy: no, on-failure[:max-retries], always, unless-stopped" };
    private readonly Option<string?> _stopSignal = new("--stop-signal") { Description = "Signal to stop the container (default SIGTERM)" };
    private readonly Option<int?> _stopTimeout = new("--stop-timeout") { Description = "Seconds to wait for the stop signal before SIGKILL (default 10)" };
    private readonly Option<string[]> _label = new("--label", "-l") { Description = "Set metadata on the container (KEY=VALUE)" };
    private readonly Option<string?> _logDriver = new("--log-driver") { Description = "Logging driver: k8s-file (default) or none" };
    private readonly Option<string[]> _logOpt = new("--log-opt") { Description = "Logging driver options (max-size=SIZE)" };
    private readonly Option<string?> _detachKeys = new("--detach-keys") { Description = "Key sequence for detaching a container (default ctrl-p,ctrl-q; \"\" disables)" };
    private readonly Option<bool> _envHost = new("--env-host") { Description = "Use all current host environment variables in the container" };
    private readonly Option<string[]> _annotation = new("--annotation") { Description = "Add an annotation to the container (KEY=VALUE)" };
    private readonly Option<string?> _cidFile = new("--cidfile") { Description = "Write the container ID to the file" };
    private readonly Option<bool> _init = new("--init") { Description = "Run an init inside the container that forwards signals and reaps processes" };
    private readonly Option<string?> _initPath = new("--init-path") { Description = "Path to the container-init binary" };
    private readonly Option<string?> _userns = new("--userns") { Description = "User namespace to use: host (the default) or keep-id[:uid=N,gid=N] (rootless)" };
    private readonly Option<string?> _pull = new("--pull") { Description = "Pull image policy: always, missing (default), never or newer" };
    private readonly Option<string[]> _volume = new("--volume", "-v") { Description = "Bind mount a volume ([SOURCE-VOLUME|HOST-DIR:]CONTAINER-DIR[:OPTIONS]; ro, rw, z, Z, U, O, nocopy, copy...)" };
    private readonly Option<string[]> _mount = new("--mount") { Description = "Attach a filesystem mount (type=bind|volume|tmpfs,src=...,dst=...[,ro][,tmpfs-size=...])" };
    private readonly Option<string[]> _tmpfs = new("--tmpfs") { Description = "Mount a temporary filesystem (PATH[:OPTIONS])" };
    private readonly Option<bool> _readOnlyTmpfs = new("--read-only-tmpfs") { Description = "With --read-only, mount writable tmpfs on /run, /tmp and /var/tmp", DefaultValueFactory = _ => true };

    /// <summary>Options that take a value, so that the image (the first other token) can be found.</summary>
    public static readonly HashSet<string> ValueOptions =
    [
        "-e", "--env", "--env-file", "-w", "--workdir", "-u", "--user", "--entrypoint", "--name", "-h", "--hostname",
        "--cap-add", "--cap-drop", "--security-opt", "-m", "--memory", "--memory-swap", "--memory-reservation", "--cpus",
        "-c", "--cpu-shares", "--cpuset-cpus", "--cpuset-mems", "--pids-limit", "--restart", "--stop-signal", "--stop-timeout",
        "-l", "--label", "--log-driver", "--log-opt", "--detach-keys", "--annotation", "--cidfile", "--pull", "--init-path", "--userns", "-v", "--volume", "--mount", "--tmpfs", "--runtime", "--root", "--runroot", "--preserve-fds",
    ];

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[]
        {
            _rm, _env, _envFile, _workdir, _user, _entrypoint, _name, _hostname, _interactive, _tty, _tlsVerify, _capAdd, _capDrop,
            _privileged, _securityOpt, _readOnly, _memory, _memorySwap, _memoryReservation, _cpus, _cpuShares, _cpusetCpus, _cpusetMems,
            _pidsLimit, _restart, _stopSignal, _stopTimeout, _label, _logDriver, _logOpt,
            _detachKeys, _envHost, _annotation, _cidFile, _pull, _init, _initPath, _userns, _volume, _mount, _tmpfs, _readOnlyTmpfs,
        })
            command.Options.Add(o);
    }

    public RunOptions Build(ParseResult p, GlobalOptions global, string image, string[] command, bool detach) => new()
    {
        Image = image,
        Command = command,
        Entrypoint = p.GetValue(_entrypoint),
        Env = p.GetValue(_env) ?? [],
        EnvFiles = p.GetValue(_envFile) ?? [],
        WorkingDir = p.GetValue(_workdir),
        User = p.GetValue(_user),
        Name = p.GetValue(_name),
        Hostname = p.GetValue(_hostname),
        Remove = p.GetValue(_rm),
        Interactive = p.GetValue(_interactive),
        Tty = p.GetValue(_tty),
        Detach = detach,
        TlsVerify = p.GetValue(_tlsVerify),
        Runtime = p.GetValue(global.Runtime),
        CapAdd = p.GetValue(_capAdd) ?? [],
        CapDrop = p.GetValue(_capDrop) ?? [],
        Privileged = p.GetValue(_privileged),
        SecurityOpt = p.GetValue(_securityOpt) ?? [],
        ReadOnly = p.GetValue(_readOnly),
        Restart = p.GetValue(_restart),
        StopSignal = p.GetValue(_stopSignal),
        StopTimeout = p.GetValue(_stopTimeout),
        Labels = p.GetValue(_label) ?? [],
        LogDriver = p.GetValue(_logDriver),
        LogOpts = p.GetValue(_logOpt) ?? [],
        DetachKeys = p.GetValue(_detachKeys),
        EnvHost = p.GetValue(_envHost),
        Annotations = p.GetValue(_annotation) ?? [],
        CidFile = p.GetValue(_cidFile),
        Pull = p.GetValue(_pull),
        Init = p.GetValue(_init),
        InitPath = p.GetValue(_initPath),
        UserNs = p.GetValue(_userns),
        Volumes = p.GetValue(_volume) ?? [],
        Mounts = p.GetValue(_mount) ?? [],
        Tmpfs = p.GetValue(_tmpfs) ?? [],
        ReadOnlyTmpfs = p.GetValue(_readOnlyTmpfs),
        CreateCommand = Environment.GetCommandLineArgs(),
        Resources = new ResourceFlags
        {
            Memory = p.GetValue(_memory), MemorySwap = p.GetValue(_memorySwap), MemoryReservation = p.GetValue(_memoryReservation),
            Cpus = p.GetValue(_cpus), CpuShares = p.GetValue(_cpuShares), CpusetCpus = p.GetValue(_cpusetCpus),
            CpusetMems = p.GetValue(_cpusetMems), PidsLimit = p.GetValue(_pidsLimit),
        },
    };
}
