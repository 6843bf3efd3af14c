using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Config;

/// <summary>
/// What `spec` writes: runc's example config.json (libcontainer/specconv Example: `sh` on a terminal, three
/// capabilities, NOFILE 1024, the standard mounts, masked and read-only paths, every device denied) and, with
/// --rootless, runc's ToRootless of it: a user namespace mapping the caller's euid and egid to 0, no network
/// namespace, /sys bind-mounted instead of a new sysfs, no uid=/gid= mount options, no cgroup resources.
/// </summary>
public static class ExampleSpec
{
    public static Spec Create(bool rootless, uint euid, uint egid)
    {
        var spec = Example();
        if (rootless) ToRootless(spec, euid, egid);
        return spec;
    }

    private static List<string> Caps() => ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    private static Mount M(string destination, string type, string source, params string[] options) =>
        new() { Destination = destination, Type = type, Source = source, Options = options.Length == 0 ? null : [.. options] };

    private static Spec Example() => new()
    {
        Process = new Process
        {
            Terminal = true,
            User = new User { Uid = 0, Gid = 0 },
            Args = ["sh"],
            Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            Cwd = "/",
            Capabilities = new Capabilities { Bounding = Caps(), Effective = Caps(), Permitted = Caps(), Ambient = Caps() },
            Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
            NoNewPrivileges = true,
        },
        Root = new Root { Path = "rootfs", Readonly = true },
        Hostname = "skiff",
        Mounts =
        [
            M("/proc", "proc", "proc"),
            M("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            M("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            M("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            M("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            M("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            M("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"),
        ],
        Linux = new Linux
        {
            Resources = new LinuxResources { Devices = [new DeviceCgroupRule { Allow = false, Access = "rwm" }] },
            Namespaces = [new() { Type = "pid" }, new() { Type = "network" }, new() { Type = "ipc" }, new() { Type = "uts" }, new() { Type = "mount" }],
            MaskedPaths =
            [
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
            ],
            ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        },
    };

    private static void ToRootless(Spec spec, uint euid, uint egid)
    {
        var linux = spec.Linux!;
        linux.Namespaces = [.. linux.Namespaces!.Where(n => n.Type is not ("network" or "user")), new Namespace { Type = "user" }];
        linux.UidMappings = [new IdMapping { ContainerId = 0, HostId = euid, Size = 1 }];
        linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = egid, Size = 1 }];
        var mounts = new List<Mount>();
        foreach (var m in spec.Mounts!)
        {
            if (m.Destination.TrimEnd('/') == "/sys")
            {
                mounts.Add(M("/sys", "none", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro"));
                continue;
            }
            if (m.Options is { } options)
                m.Options = [.. options.Where(o => !o.StartsWith("gid=", StringComparison.Ordinal) && !o.StartsWith("uid=", StringComparison.Ordinal))];
            mounts.Add(m);
        }
        spec.Mounts = mounts;
        linux.Resources = null;
    }
}
