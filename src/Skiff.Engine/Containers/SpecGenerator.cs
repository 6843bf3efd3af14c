using System.Text.Json;
using Skiff.Engine.Security;
using Skiff.Oci.Image;
using Skiff.Oci.Runtime;

namespace Skiff.Engine.Containers;

/// <summary>Everything the generator needs besides the user's flags; gathered by the caller, so generation stays pure.</summary>
public sealed record SpecInputs
{
    public required string ContainerId { get; init; }
    public required string RootfsPath { get; init; }
    public ContainerConfig? ImageConfig { get; init; }
    public required ContainerUser User { get; init; }
    /// <summary>Extra environment lines from --env-file, already read, in order.</summary>
    public IReadOnlyList<string> EnvFileLines { get; init; } = [];
    /// <summary>Host values for --env NAME without "=" (podman copies the host's value).</summary>
    public Func<string, string?> HostEnv { get; init; } = Environment.GetEnvironmentVariable;
    /// <summary>The host's whole environment as NAME=VALUE lines, for --env-host.</summary>
    public Func<IEnumerable<string>> HostEnvironment { get; init; } = () =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}");
    /// <summary>Files the engine made for the container: destination in the container → source on the host.</summary>
    public IReadOnlyDictionary<string, string> BindFiles { get; init; } = new Dictionary<string, string>();
    /// <summary>The hard limit of each resource Skiff raises by default, so defaults never exceed what the host allows.</summary>
    public required Func<int, ulong> HardLimit { get; init; }
    /// <summary>Rootless: no cgroup path of our own (the user's cgroup, used only where delegated).</summary>
    public bool Rootless { get; init; }
    /// <summary>A cgroup namespace of its own (podman: on cgroup v2 hosts; v1 and hybrid hosts share the host's).</summary>
    public bool CgroupNamespace { get; init; } = true;
    /// <summary>The host has cgroups v2 (rootless limits can apply only there, where the user's cgroup is delegated).</summary>
    public bool CgroupV2 { get; init; }
    /// <summary>The host's devices, for --privileged (podman gives them all).</summary>
    public Func<IReadOnlyList<Device>> HostDevices { get; init; } = () => [];
    /// <summary>--init: the host copy of the init binary, bound at <see cref="InitBinary.Destination"/>.</summary>
    public string? InitBinaryPath { get; init; }
    /// <summary>The user's mounts (-v, --mount, --tmpfs), resolved (Volumes/ContainerVolumes.cs): they replace a default at the same destination.</summary>
    public IReadOnlyList<Mount> UserMounts { get; init; } = [];
    /// <summary>--userns keep-id: a user namespace of the container's own with these maps; null: the engine's.</summary>
    public KeepIdMaps? UserNamespace { get; init; }
}

/// <summary>
/// Turns user intent (<see cref="RunOptions"/>) and the image's config into an OCI runtime config, with
/// podman's defaults: its capability set, masked and read-only paths, /dev, /proc, /sys, /dev/pts, /dev/shm,
/// /dev/mqueue, and its rlimits clamped to the host's hard limits.
/// </summary>
public static class SpecGenerator
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
        "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux", "/sys/dev/block",
    ];

    public static readonly IReadOnlyList<string> ReadonlyPaths =
    [
        "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    /// <summary>
    /// --privileged's host devices. Rootless, podman leaves out /dev/ptmx (the runtime links /dev/ptmx to pts/ptmx; the
    /// host's must not be shared, and a bind on it made that link fail with EBUSY) and the host's /dev/tty* terminals.
    /// </summary>
    private static List<Device> PrivilegedDevices(SpecInputs inputs) =>
        [.. inputs.HostDevices().Where(d => !inputs.Rootless || (d.Path != "/dev/ptmx" && !d.Path.StartsWith("/dev/tty", StringComparison.Ordinal)))];

    /// <summary>containers.conf default_sysctls of podman 4.3: unprivileged ICMP sockets for root in the container.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultSysctls = new Dictionary<string, string> { ["net.ipv4.ping_group_range"] = "0 0" };

    public static Spec Generate(RunOptions options, SpecInputs inputs)
    {
        var image = inputs.ImageConfig;
        var args = Arguments(options, image);
        if (options.Init)
        {
            if (inputs.InitBinaryPath is null) throw new InvalidOperationException("--init without an init binary");
            args.InsertRange(0, [InitBinary.Destination, "--"]);
        }
        string hostname = options.Hostname ?? inputs.ContainerId[..12];
        var user = inputs.User;
        var security = SecurityOptions.Parse(options.SecurityOpt);
        var caps = CapabilitySet.Resolve(options.CapAdd, options.CapDrop, options.Privileged, user.Uid == 0);
        // podman's pids_limit default, except rootless on cgroups v1, where no limit can apply (podman leaves it out there too).
        var resources = options.Resources.ToResources(inputs.Rootless && !inputs.CgroupV2 ? 0 : ResourceFlags.DefaultPidsLimit);
        if (options.Privileged) resources.Devices = [new DeviceCgroupRule { Allow = true, Access = "rwm" }];
        var masked = options.Privileged ? [] : MaskedPaths.Concat(security.Mask).Where(p => !Unmasked(p, security.Unmask)).Distinct().ToList();

        return new Spec
        {
            Process = new Process
            {
                Args = args,
                Env = Environment(options, inputs, hostname),
                Cwd = !string.IsNullOrEmpty(options.WorkingDir) ? options.WorkingDir
                    : !string.IsNullOrEmpty(image?.WorkingDir) ? image.WorkingDir : "/",
                User = new User { Uid = user.Uid, Gid = user.Gid, Umask = 0x12, AdditionalGids = user.AdditionalGids.Count > 0 ? [.. user.AdditionalGids] : null },
                Capabilities = new Capabilities
                {
                    Bounding = caps.Bounding,
                    Effective = caps.Effective,
                    Permitted = caps.Permitted,
                    Inheritable = caps.Inheritable,
                    Ambient = caps.Ambient,
                },
                Rlimits =
                [
                    Clamped("RLIMIT_NOFILE", Interop.Libc.RLIMIT_NOFILE, 1048576, inputs.HardLimit),
                    Clamped("RLIMIT_NPROC", Interop.Libc.RLIMIT_NPROC, 4194304, inputs.HardLimit),
                ],
                NoNewPrivileges = security.NoNewPrivileges,
                Terminal = options.Tty,
            },
            Root = new Root { Path = inputs.RootfsPath, Readonly = options.ReadOnly },
            Hostname = hostname,
            Annotations = Annotations(options.Annotations),
            Mounts = Mounts(inputs.BindFiles, options.ReadOnly && options.ReadOnlyTmpfs, options.ReadOnly, options.Privileged, inputs.UserMounts, options.Init ? inputs.InitBinaryPath : null),
            Linux = new Linux
            {
                Namespaces =
                [
                    new Namespace { Type = "pid" }, new Namespace { Type = "network" }, new Namespace { Type = "ipc" },
                    new Namespace { Type = "uts" }, new Namespace { Type = "mount" },
                    .. inputs.CgroupNamespace ? [new Namespace { Type = "cgroup" }] : Array.Empty<Namespace>(),
                    .. inputs.UserNamespace is not null ? [new Namespace { Type = "user" }] : Array.Empty<Namespace>(),
                ],
                UidMappings = inputs.UserNamespace is { } u ? [.. u.Uids] : null,
                GidMappings = inputs.UserNamespace is { } g ? [.. g.Gids] : null,
                Sysctl = new Dictionary<string, string>(DefaultSysctls),
                Resources = resources,
                CgroupsPath = ContainerResources.CgroupsPath(inputs.ContainerId, inputs.Rootless),
                Devices = options.Privileged ? PrivilegedDevices(inputs) : null,
                // podman's default profile for these capabilities, a profile of the user's, or none (unconfined, --privileged).
                Seccomp = SeccompPolicy.For(security.SeccompUnconfined ? "unconfined" : security.SeccompProfile, caps.Bounding, options.Privileged),
                MaskedPaths = masked,
                ReadonlyPaths = options.Privileged ? [] : [.. ReadonlyPaths],
            },
        };
    }

    /// <summary>--annotation KEY=VALUE (podman: a key without "=" gets an empty value); null when there are none.</summary>
    public static Dictionary<string, string>? Annotations(IReadOnlyList<string> annotations)
    {
        if (annotations.Count == 0) return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string a in annotations)
        {
            // podman's words for a missing "=" (it takes an empty key; a nameless annotation is refused here)
            int eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) throw new EngineException($"annotations must be formatted KEY=VALUE: \"{a}\"");
            if (eq == 0) throw new EngineException($"invalid annotation \"{a}\": the key is empty");
            result[a[..eq]] = a[(eq + 1)..];
        }
        return result;
    }

    /// <summary>--security-opt unmask=ALL or a list of paths (podman allows globs at the end: /proc/*).</summary>
    private static bool Unmasked(string path, IReadOnlyList<string> unmask) =>
        unmask.Any(u => u == "ALL" || u == path || (u.EndsWith("/*", StringComparison.Ordinal) && path.StartsWith(u[..^1], StringComparison.Ordinal)));

    /// <summary>ENTRYPOINT + CMD with podman's precedence: --entrypoint replaces the image's and drops its CMD.</summary>
    public static List<string> Arguments(RunOptions options, ContainerConfig? image)
    {
        var (entrypoint, cmd) = EntrypointAndCmd(options, image);
        var args = entrypoint.Concat(cmd).ToList();
        if (args.Count == 0)
            throw new EngineException("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
        return args;
    }

    /// <summary>The two halves of <see cref="Arguments"/>, as inspect shows them (Config.Entrypoint, Config.Cmd).</summary>
    public static (List<string> Entrypoint, List<string> Cmd) EntrypointAndCmd(RunOptions options, ContainerConfig? image)
    {
        List<string> entrypoint;
        List<string> cmd;
        if (options.Entrypoint is not null)
        {
            entrypoint = ParseEntrypoint(options.Entrypoint);
            cmd = [.. options.Command];
        }
        else
        {
            entrypoint = image?.Entrypoint is { } e ? [.. e] : [];
            cmd = options.Command.Count > 0 ? [.. options.Command] : image?.Cmd is { } c ? [.. c] : [];
        }
        return (entrypoint, cmd);
    }

    private static List<string> ParseEntrypoint(string value)
    {
        if (value.Length == 0) return [];
        if (value.StartsWith('['))
        {
            try
            {
                var list = JsonSerializer.Deserialize(value, EngineJsonContext.Default.ListString);
                if (list is not null) return list;
            }
            catch (JsonException)
            {
                // not a JSON array: podman takes the string as one program name
            }
        }
        return [value];
    }

    /// <summary>Image env, then defaults podman adds, then --env-file, then --env; later wins.</summary>
    public static List<string> Environment(RunOptions options, SpecInputs inputs, string hostname)
    {
        var env = new List<KeyValuePair<string, string>>();
        void Set(string key, string value)
        {
            int i = env.FindIndex(kv => kv.Key == key);
            if (i >= 0) env[i] = new(key, value);
            else env.Add(new(key, value));
        }
        void SetLine(string line)
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) Set(line[..eq], line[(eq + 1)..]);
            else if (eq < 0 && line.Length > 0 && inputs.HostEnv(line) is { } v) Set(line, v);
        }

        Set("PATH", DefaultPath);
        if (options.EnvHost)
            foreach (string line in inputs.HostEnvironment()) SetLine(line);
        foreach (string line in inputs.ImageConfig?.Env ?? []) SetLine(line);
        Set("container", "skiff");
        Set("TERM", "xterm");
        if (!inputs.ImageConfig?.Env?.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)) ?? true) Set("HOME", inputs.User.Home);
        Set("HOSTNAME", hostname);
        foreach (string line in inputs.EnvFileLines) SetLine(line);
        foreach (string line in options.Env) SetLine(line);
        return env.Select(kv => $"{kv.Key}={kv.Value}").ToList();
    }

    /// <summary>Lines of an --env-file: KEY=VALUE or KEY (taken from the host); blank lines and # comments skipped.</summary>
    public static IEnumerable<string> ParseEnvFile(string text)
    {
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.TrimStart().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            yield return line.TrimStart();
        }
    }

    private static Rlimit Clamped(string name, int resource, ulong wanted, Func<int, ulong> hardLimit)
    {
        ulong v = Math.Min(wanted, hardLimit(resource));
        return new Rlimit { Type = name, Hard = v, Soft = v };
    }

    private static List<Mount> Mounts(IReadOnlyDictionary<string, string> bindFiles, bool readOnlyTmpfs, bool readOnly, bool privileged, IReadOnlyList<Mount> userMounts, string? initBinary)
    {
        string ro = privileged ? "rw" : "ro";
        var mounts = new List<Mount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", ro] },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
        };
        // --read-only keeps podman's --read-only-tmpfs default: writable tmpfs where programs expect to write.
        if (readOnlyTmpfs)
            foreach (string dir in new[] { "/run", "/tmp", "/var/tmp" })
                mounts.Add(new Mount { Destination = dir, Type = "tmpfs", Source = "tmpfs", Options = ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"] });
        foreach (var (dest, src) in bindFiles.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            mounts.Add(new Mount { Destination = dest, Type = "bind", Source = src, Options = readOnly ? ["bind", "rprivate", "ro", "nosuid", "noexec", "nodev"] : ["bind", "rprivate"] });
        mounts.Add(new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["rprivate", "nosuid", "noexec", "nodev", "relatime", ro] });
        if (userMounts.Count > 0)
        {
            // podman: the user's mount wins over a default at the same place (/dev/shm, /tmp of --read-only, /etc/hosts...)
            var taken = userMounts.Select(m => Volumes.MountSpecs.Clean(m.Destination)).ToHashSet(StringComparer.Ordinal);
            mounts.RemoveAll(m => taken.Contains(m.Destination));
            mounts.AddRange(userMounts);
        }
        // --init last, so that a user's mount on /run cannot hide it
        if (initBinary is not null)
            mounts.Add(new Mount { Destination = InitBinary.Destination, Type = "bind", Source = initBinary, Options = ["bind", "rprivate", "ro", "nosuid", "nodev"] });
        return mounts;
    }
}
