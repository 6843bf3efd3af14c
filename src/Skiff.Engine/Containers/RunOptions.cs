namespace Skiff.Engine.Containers;

/// <summary>What the user asked for with `skiff run` (the "spec" of podman's specgen): flags, not yet merged with the image.</summary>
public sealed class RunOptions
{
    public required string Image { get; init; }
    /// <summary>The command and its arguments after the image; empty means the image's CMD.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    /// <summary>--entrypoint: null keeps the image's, "" clears it, else a single program (or a JSON array).</summary>
    public string? Entrypoint { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string> EnvFiles { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string? Name { get; init; }
    public string? Hostname { get; init; }
    public bool Remove { get; init; }
    public bool Interactive { get; init; }
    /// <summary>-t: the container's stdio is a pseudo-terminal.</summary>
    public bool Tty { get; init; }
    /// <summary>-d: start it and return its id, without attaching.</summary>
    public bool Detach { get; init; }
    /// <summary>--restart, as given: no, on-failure[:N], always, unless-stopped.</summary>
    public string? Restart { get; init; }
    /// <summary>--stop-signal (a name or number) and --stop-timeout in seconds.</summary>
    public string? StopSignal { get; init; }
    public int? StopTimeout { get; init; }
    /// <summary>-l/--label KEY=VALUE.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>--log-driver k8s-file|none|passthrough and --log-opt max-size=SIZE.</summary>
    public string? LogDriver { get; init; }
    public IReadOnlyList<string> LogOpts { get; init; } = [];
    public bool? TlsVerify { get; init; }
    /// <summary>--runtime: a name on PATH or a path; null for Skiff's own.</summary>
    public string? Runtime { get; init; }
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    /// <summary>--privileged: every capability, every host device, no seccomp filter, no masked or read-only paths.</summary>
    public bool Privileged { get; init; }
    /// <summary>--security-opt values, as given.</summary>
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];
    /// <summary>--read-only: a read-only root, with podman's writable tmpfs on /run, /tmp and /var/tmp.</summary>
    public bool ReadOnly { get; init; }
    /// <summary>--detach-keys (podman's syntax, see <see cref="Lifecycle.DetachKeys"/>); null for ctrl-p,ctrl-q.</summary>
    public string? DetachKeys { get; init; }
    /// <summary>--env-host: the host's whole environment, under the image's and before --env-file and --env.</summary>
    public bool EnvHost { get; init; }
    /// <summary>--annotation KEY=VALUE, into the OCI config's annotations.</summary>
    public IReadOnlyList<string> Annotations { get; init; } = [];
    /// <summary>--cidfile: a file (which must not exist yet) to write the container's id to.</summary>
    public string? CidFile { get; init; }
    /// <summary>--pull: missing (default), always, never or newer.</summary>
    public string? Pull { get; init; }
    /// <summary>--init: a tiny init (skiff-init) as PID 1, reaping orphans and passing signals on.</summary>
    public bool Init { get; init; }
    /// <summary>--init-path: the init binary to use instead of skiff-init.</summary>
    public string? InitPath { get; init; }
    /// <summary>--userns: host (the default: root's own namespace, or the rootless user's), keep-id[:uid=N,gid=N] (rootless); others are refused by name.</summary>
    public string? UserNs { get; init; }
    /// <summary>-v/--volume, --mount and --tmpfs, as given (parsed by <see cref="Volumes.MountSpecs"/>).</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];
    public IReadOnlyList<string> Mounts { get; init; } = [];
    public IReadOnlyList<string> Tmpfs { get; init; } = [];
    /// <summary>--read-only-tmpfs: with --read-only, writable tmpfs on /run, /tmp and /var/tmp (podman's default: true).</summary>
    public bool ReadOnlyTmpfs { get; init; } = true;
    /// <summary>The command line that asked for the container (inspect's Config.CreateCommand); empty from other front ends.</summary>
    public IReadOnlyList<string> CreateCommand { get; init; } = [];
    /// <summary>--memory, --cpus, --pids-limit and friends, as given.</summary>
    public ResourceFlags Resources { get; init; } = new();
}
