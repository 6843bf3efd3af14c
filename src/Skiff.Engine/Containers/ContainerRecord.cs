namespace Skiff.Engine.Containers;

/// <summary>What the engine remembers of a container: its configuration and its last known state.</summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string ImageId { get; set; } = "";
    public string ImageName { get; set; } = "";
    public List<string> Command { get; set; } = [];
    public DateTimeOffset Created { get; set; }
    /// <summary>
    /// configured (recorded, not yet ready to start: a create still running, or killed), created, initialized (the
    /// runtime's create has run, its process waits to be started: `container init`), running, stopped (stopped by the
    /// engine, not yet cleaned up), exited.
    /// </summary>
    public string State { get; set; } = ContainerStates.Configured;
    public int? ExitCode { get; set; }
    /// <summary>The container's init on the host while it runs, and its start time (clock ticks since boot: pids are reused).</summary>
    public int? Pid { get; set; }
    public ulong? PidStartTime { get; set; }
    /// <summary>The container's monitor while it runs, and its start time.</summary>
    public int? MonitorPid { get; set; }
    public ulong? MonitorStartTime { get; set; }
    /// <summary>Path of the OCI runtime that holds its state.</summary>
    public string? Runtime { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>--rm: removed once it exits.</summary>
    public bool AutoRemove { get; set; }
    /// <summary>-t and -i.</summary>
    public bool Terminal { get; set; }
    public bool Stdin { get; set; }
    /// <summary>--restart: no, on-failure, always, unless-stopped; and on-failure's maximum.</summary>
    public string RestartPolicy { get; set; } = "no";
    public int RestartRetries { get; set; }
    public int RestartCount { get; set; }
    /// <summary>Set by stop and kill: unless-stopped and on-failure do not restart a container the user stopped.</summary>
    public bool StoppedByUser { get; set; }
    public int StopSignal { get; set; } = 15;
    public int StopTimeout { get; set; } = 10;
    /// <summary>--log-driver k8s-file (the default), none or passthrough; --log-opt max-size in bytes (-1: none).</summary>
    public string LogDriver { get; set; } = "k8s-file";
    public long LogMaxSize { get; set; } = -1;
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>The volumes it mounts (by name): a volume in this list cannot be removed while the container exists.</summary>
    public List<string> Volumes { get; set; } = [];
    /// <summary>Those of <see cref="Volumes"/> made for it (-v /path): removed with it by rm -v and --rm.</summary>
    public List<string> AnonymousVolumes { get; set; } = [];
    /// <summary>For inspect: the entrypoint and command the container runs (<see cref="Command"/> is both), the -u given, the command line that created it.</summary>
    public List<string> Entrypoint { get; set; } = [];
    public List<string> Cmd { get; set; } = [];
    public string User { get; set; } = "";
    /// <summary>--userns as given ("" or host: the engine's namespace; keep-id[:...]).</summary>
    public string UserNs { get; set; } = "";
    public List<string> CreateCommand { get; set; } = [];
}

/// <summary>The values of <see cref="ContainerRecord.State"/>.</summary>
public static class ContainerStates
{
    public const string Configured = "configured", Created = "created", Initialized = "initialized", Running = "running", Stopped = "stopped", Exited = "exited";
}
