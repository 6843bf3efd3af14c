using System.Text.Json;
using Skiff.Engine.Security;
using Skiff.Interop;
using Skiff.Oci.Runtime;

// skiff-bench BUNDLE CGROUPS-PATH: writes the bundle that `make bench` runs with skiff-runtime and with runc: a
// busybox rootfs running `true`, and a config.json shaped like the one podman writes: its namespaces, mounts,
// capabilities, masked and read-only paths, an rlimit, a memory and pids limit in a cgroup of its own
// (cgroupfs) with the default device rules, and podman's default seccomp profile. bench/run.sh does the timing.
if (args.Length != 2) { Console.Error.WriteLine("usage: skiff-bench BUNDLE CGROUPS-PATH"); return 2; }
string bundle = Path.GetFullPath(args[0]);
Directory.CreateDirectory(Path.Combine(bundle, "rootfs/bin"));
File.Copy("/bin/busybox", Path.Combine(bundle, "rootfs/bin/busybox"), overwrite: true);
foreach (string applet in new[] { "sh", "true" })
    if (!File.Exists(Path.Combine(bundle, "rootfs/bin", applet))) File.CreateSymbolicLink(Path.Combine(bundle, "rootfs/bin", applet), "busybox");
WriteConfig(bundle, args[1]);
return 0;

static void WriteConfig(string bundle, string cgroupsPath)
{
    var caps = CapabilitySet.Resolve([], [], privileged: false, rootUser: true);
    ulong nofile = Math.Min(1048576, Libc.HardLimit(Libc.RLIMIT_NOFILE));
    var spec = new Spec
    {
        Process = new Skiff.Oci.Runtime.Process
        {
            Args = ["true"], Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], Cwd = "/",
            User = new User { Uid = 0, Gid = 0, Umask = 0x12 },
            Capabilities = new Capabilities { Bounding = caps.Bounding, Effective = caps.Effective, Permitted = caps.Permitted },
            Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Soft = nofile, Hard = nofile }],
        },
        Root = new Root { Path = "rootfs" },
        Hostname = "bench",
        Mounts =
        [
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
        ],
        Linux = new Linux
        {
            Namespaces = [new() { Type = "pid" }, new() { Type = "network" }, new() { Type = "ipc" }, new() { Type = "uts" }, new() { Type = "mount" }],
            CgroupsPath = cgroupsPath,
            Resources = new LinuxResources
            {
                Devices = [new DeviceCgroupRule { Allow = false, Access = "rwm" }],
                Memory = new MemoryResources { Limit = 256L << 20 },
                Pids = new PidsResources { Limit = 2048 },
            },
            Seccomp = SeccompPolicy.For(null, caps.Bounding, privileged: false),
            MaskedPaths = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
            ReadonlyPaths = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        },
    };
    File.WriteAllBytes(Path.Combine(bundle, "config.json"), JsonSerializer.SerializeToUtf8Bytes(spec, RuntimeJsonContext.Default.Spec));
}
