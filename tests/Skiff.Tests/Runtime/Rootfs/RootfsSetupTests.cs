using System.Text;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Config;
using Skiff.Runtime.Rootfs;

namespace Skiff.Tests.Runtime.Rootfs;

/// <summary>What a config.json turns into, recorded by a fake kernel: no root needed.</summary>
public class RootfsSetupTests
{
    private static Spec Parse(string json) => BundleConfig.Parse(Encoding.UTF8.GetBytes(json), "config.json");

    /// <summary>A fake host and image shaped like the podman test host: busybox's top directories, proc's and sysfs's entries.</summary>
    private static RecordingMountKernel PodmanHost()
    {
        var k = new RecordingMountKernel();
        foreach (string dir in new[] { "/proc", "/dev", "/sys", "/etc", "/mytmp", "/proc/acpi", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/scsi", "/sys/firmware", "/sys/dev/block", "/sys/fs" })
            k.Container[dir] = NodeKind.Directory;
        foreach (string file in new[] { "/proc/keys", "/proc/timer_list" }) k.Container[file] = NodeKind.File;
        foreach (string dir in new[] { "/tmp/vsrc", "/var/lib/containers/storage/overlay-containers/8a90/userdata/shm" }) k.Host[dir] = NodeKind.Directory;
        foreach (string file in new[] { "hostname", ".containerenv" }) k.Host[$"{PodmanConfig.Userdata}/{file}"] = NodeKind.File;
        foreach (string h in new[] { "cpu", "cpuacct", "memory", "systemd", "unified" }) k.Host[$"/sys/fs/cgroup/{h}{PodmanConfig.Cgroup}"] = NodeKind.Directory;
        k.Files["/proc/self/mountinfo"] = PodmanConfig.HybridMountinfo;
        k.Files["/proc/self/cgroup"] = PodmanConfig.InitCgroup;
        return k;
    }

    private static RootfsRequest Request(Spec spec, bool userns = false, bool noPivot = false) =>
        new() { Spec = spec, Rootfs = "/rootfs", Bundle = "/bundle", InUserNamespace = userns, NoPivot = noPivot };

    [Fact]
    public void PodmansConfigBecomesTheseCallsInThisOrder()
    {
        var k = PodmanHost();
        RootfsSetup.Run(k, Request(Parse(PodmanConfig.Json)));
        string cg = PodmanConfig.Cgroup;
        string[] expected =
        [
            "propagation / rslave",
            "propagation / private", // the mount holding the rootfs is shared in this mountinfo: pivot_root needs it private
            "bind /rootfs on /rootfs recursive",
            // -v /tmp/vsrc:/data:ro: rbind, then ro on the top mount only (as runc: rro would reach the submounts)
            "create /data/", "bind /tmp/vsrc on /data recursive", "flags /data ro", "propagation /data rprivate",
            // --tmpfs /mytmp: tmpcopyup
            "mount tmpfs tmpfs on /mytmp nosuid,nodev", "copy /mytmp into the new /mytmp with its mode and owner", "propagation /mytmp rprivate",
            "mount proc proc on /proc nosuid,nodev,noexec",
            "mount tmpfs tmpfs on /dev nosuid,noexec,strictatime [mode=755,size=65536k]",
            "mount sysfs sysfs on /sys ro,nosuid,nodev,noexec",
            "create /dev/pts/", "mount devpts devpts on /dev/pts nosuid,noexec [newinstance,ptmxmode=0666,mode=0620,gid=5]",
            "create /dev/mqueue/", "mount mqueue mqueue on /dev/mqueue nosuid,nodev,noexec",
            "create /etc/hostname", $"bind {PodmanConfig.Userdata}/hostname on /etc/hostname", "propagation /etc/hostname rprivate",
            "create /dev/shm/", "bind /var/lib/containers/storage/overlay-containers/8a90/userdata/shm on /dev/shm",
            "flags /dev/shm nosuid,nodev,noexec", "propagation /dev/shm rprivate",
            "create /run/.containerenv", $"bind {PodmanConfig.Userdata}/.containerenv on /run/.containerenv", "propagation /run/.containerenv rprivate",
            // hybrid host, no cgroup namespace: a tmpfs, then the init's own cgroup of each hierarchy, read-only, and the v2 tree
            "create /sys/fs/cgroup/", "mount tmpfs tmpfs on /sys/fs/cgroup nosuid,nodev,noexec [mode=755]",
            "create /sys/fs/cgroup/cpu/", $"bind /sys/fs/cgroup/cpu{cg} on /sys/fs/cgroup/cpu recursive",
            "flags /sys/fs/cgroup/cpu ro,nosuid,nodev,noexec,relatime", "propagation /sys/fs/cgroup/cpu rprivate",
            "create /sys/fs/cgroup/cpuacct/", $"bind /sys/fs/cgroup/cpuacct{cg} on /sys/fs/cgroup/cpuacct recursive",
            "flags /sys/fs/cgroup/cpuacct ro,nosuid,nodev,noexec,relatime", "propagation /sys/fs/cgroup/cpuacct rprivate",
            "create /sys/fs/cgroup/memory/", $"bind /sys/fs/cgroup/memory{cg} on /sys/fs/cgroup/memory recursive",
            "flags /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime", "propagation /sys/fs/cgroup/memory rprivate",
            "create /sys/fs/cgroup/systemd/", $"bind /sys/fs/cgroup/systemd{cg} on /sys/fs/cgroup/systemd recursive",
            "flags /sys/fs/cgroup/systemd ro,nosuid,nodev,noexec,relatime", "propagation /sys/fs/cgroup/systemd rprivate",
            "create /sys/fs/cgroup/unified/", $"bind /sys/fs/cgroup/unified{cg} on /sys/fs/cgroup/unified recursive",
            "flags /sys/fs/cgroup/unified ro,nosuid,nodev,noexec,relatime", "propagation /sys/fs/cgroup/unified rprivate",
            "add-flags /sys/fs/cgroup ro", "propagation /sys/fs/cgroup rprivate",
            // /dev is a tmpfs: the standard nodes and links
            "mknod /dev/null c 1:3 666 0:0", "mknod /dev/zero c 1:5 666 0:0", "mknod /dev/full c 1:7 666 0:0",
            "mknod /dev/random c 1:8 666 0:0", "mknod /dev/urandom c 1:9 666 0:0", "mknod /dev/tty c 5:0 666 0:0",
            "symlink /dev/fd -> /proc/self/fd", "symlink /dev/stdin -> /proc/self/fd/0", "symlink /dev/stdout -> /proc/self/fd/1",
            "symlink /dev/stderr -> /proc/self/fd/2", "symlink /dev/ptmx -> pts/ptmx (replacing)",
            "pivot_root /",
            // inside the new root: sysctl before /proc/sys turns read-only; then readonly and masked paths (missing ones skipped)
            "write /proc/sys/net/ipv4/ping_group_range 0 0",
            "bind /proc/bus on /proc/bus recursive", "add-flags /proc/bus ro",
            "bind /proc/fs on /proc/fs recursive", "add-flags /proc/fs ro",
            "bind /proc/irq on /proc/irq recursive", "add-flags /proc/irq ro",
            "bind /proc/sys on /proc/sys recursive", "add-flags /proc/sys ro",
            "mount tmpfs tmpfs on /proc/acpi ro", "bind /dev/null on /proc/keys", "bind /dev/null on /proc/timer_list",
            "mount tmpfs tmpfs on /proc/scsi ro", "mount tmpfs tmpfs on /sys/firmware ro", "mount tmpfs tmpfs on /sys/dev/block ro",
        ];
        Assert.Equal(expected, k.Ops);
    }

    private static Spec Config(IEnumerable<Mount>? mounts = null, params string[] namespaces)
    {
        var spec = new Spec
        {
            Process = new Process { Args = ["sh"] },
            Root = new Root { Path = "/rootfs" },
            Mounts = [.. mounts ?? []],
            Linux = new Linux { Namespaces = [.. (namespaces.Length == 0 ? ["mount"] : namespaces).Select(t => new Namespace { Type = t })] },
        };
        return spec;
    }

    private static Mount M(string dest, string type, string? source, params string[] options) =>
        new() { Destination = dest, Type = type, Source = source, Options = [.. options] };

    private static RecordingMountKernel Run(Spec spec, bool userns = false, RecordingMountKernel? kernel = null, bool noPivot = false)
    {
        var k = kernel ?? new RecordingMountKernel();
        RootfsSetup.Run(k, Request(spec, userns, noPivot));
        return k;
    }

    [Fact]
    public void TheStepsRunOnlyInOrderAndHooksFitBetweenThem()
    {
        var k = new RecordingMountKernel();
        using var setup = new RootfsSetup(k, Request(Config([M("/proc", "proc", "proc")])));
        Assert.Throws<InvalidOperationException>(setup.SwitchRoot);
        setup.MountAll();
        Assert.Contains("mount proc proc on /proc", k.Ops);
        Assert.DoesNotContain(k.Ops, o => o.StartsWith("pivot_root", StringComparison.Ordinal)); // createContainer hooks still see the old root
        Assert.Throws<InvalidOperationException>(setup.Finish);
        setup.SwitchRoot();
        Assert.Equal("pivot_root /", k.Ops[^1]);
        setup.Finish();
        Assert.Throws<InvalidOperationException>(setup.MountAll);
    }

    [Fact]
    public void TheConsoleIsThePtyBoundOnDevConsoleInTheNewRoot()
    {
        var k = new RecordingMountKernel();
        using var setup = new RootfsSetup(k, Request(Config([M("/dev", "tmpfs", "tmpfs")])));
        using var pty = new Node("/dev/pts/0", NodeKind.Device);
        setup.MountAll();
        Assert.Throws<InvalidOperationException>(() => setup.MountConsole(pty));
        setup.SwitchRoot();
        setup.MountConsole(pty);
        Assert.Equal(["pivot_root /", "file /dev/console", "bind /dev/pts/0 on /dev/console"], k.Ops.SkipWhile(o => o != "pivot_root /"));
    }

    [Fact]
    public void RootlessPodmanShape_SysfsAndDevicesAreBoundFromTheHost()
    {
        // A user namespace that does not own a network namespace cannot mount sysfs: the host's, read-only.
        var k = Run(Config([M("/dev", "tmpfs", "tmpfs", "nosuid", "mode=755"), M("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro")],
            "mount", "user", "pid"), userns: true);
        Assert.Contains("bind /sys on /sys recursive", k.Ops);
        Assert.Contains("flags /sys ro,nosuid,nodev,noexec", k.Ops);
        Assert.DoesNotContain(k.Ops, o => o.StartsWith("mknod", StringComparison.Ordinal));
        Assert.Equal(["file /dev/null", "bind /dev/null on /dev/null", "file /dev/zero", "bind /dev/zero on /dev/zero"], k.Of("file", "bind").Skip(1).Take(4));
        Assert.Equal(6, k.Of("file").Count);
    }

    [Fact]
    public void ASysfsOrMqueueTheKernelRefusesFallsBackToTheHostsAndDevptsDropsAnUnmappedGid()
    {
        var k = new RecordingMountKernel { Fail = op => op.StartsWith("mount sysfs", StringComparison.Ordinal) || op.StartsWith("mount mqueue", StringComparison.Ordinal)
            ? Errno.EPERM : op.Contains("gid=5", StringComparison.Ordinal) ? Errno.EINVAL : 0 };
        Run(Config([M("/sys", "sysfs", "sysfs", "ro"), M("/dev/mqueue", "mqueue", "mqueue", "nodev"), M("/dev/pts", "devpts", "devpts", "newinstance", "gid=5", "mode=0620")],
            "mount", "network"), kernel: k);
        Assert.Equal(["bind /sys on /sys recursive", "bind /dev/mqueue on /dev/mqueue"], k.Of("bind"));
        Assert.Equal(["mount devpts devpts on /dev/pts [newinstance,mode=0620]"], k.Of("mount"));
    }

    [Fact]
    public void NoPivotDetachesTheHostsProcAndSysThenMovesTheRoot() // proc last: older kernels reach mounts through /proc/self/fd
    {
        var k = new RecordingMountKernel
        {
            Fail = op => op == "detach /sys" ? Errno.EPERM : 0,
        };
        k.Host["/proc"] = NodeKind.Directory;
        k.Files["/proc/self/mountinfo"] = "22 1 254:0 / / rw - ext4 /dev/vda rw\n24 22 0:22 / /proc rw - proc proc rw\n23 22 0:21 / /sys rw - sysfs sysfs rw\n25 22 0:23 / /rootfs/proc rw - proc proc rw\n";
        Run(Config([]), kernel: k, noPivot: true);
        Assert.Equal(["propagation /sys rslave", "detach /sys", "mount tmpfs tmpfs on /sys", "propagation /proc rslave", "detach /proc", "move / on / and chroot"],
            k.Ops.SkipWhile(o => o != "propagation /sys rslave"));
    }

    [Fact]
    public void RootPropagationReadOnlyRootAndReadOnlyDevComeLast()
    {
        var spec = Config([M("/dev", "tmpfs", "tmpfs", "ro", "nosuid")]);
        spec.Linux!.RootfsPropagation = "rshared";
        spec.Root!.Readonly = true;
        var k = Run(spec);
        Assert.Equal("propagation / rshared", k.Ops[0]);
        Assert.Contains("mount tmpfs tmpfs on /dev nosuid", k.Ops); // writable while its nodes are made
        Assert.Equal(["pivot_root /", "propagation / rshared", "add-flags /dev ro", "add-flags / ro"], k.Ops.SkipWhile(o => o != "pivot_root /"));
    }

    [Fact]
    public void AnInvalidRootfsPropagationIsRefused()
    {
        var spec = Config();
        spec.Linux!.RootfsPropagation = "sideways";
        var e = Assert.Throws<RuntimeException>(() => Run(spec));
        Assert.Contains("sideways", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecursiveOptionsUseRecursiveAttributes()
    {
        var k = new RecordingMountKernel();
        k.Host["/src"] = NodeKind.Directory;
        Run(Config([M("/data", "bind", "/src", "rbind", "rro", "rnosuid", "rnoatime")]), kernel: k);
        Assert.Equal(["recursive /data set=0x13 clear=0x70"], k.Of("recursive"));
        Assert.Empty(k.Of("flags"));
    }

    [Fact]
    public void BindMountsTakeNoFilesystemOptionsButIgnoreTheEnginesOnes()
    {
        var k = new RecordingMountKernel();
        k.Host["/src"] = NodeKind.Directory;
        var e = Assert.Throws<RuntimeException>(() => Run(Config([M("/data", "bind", "/src", "bind", "size=1m", "frobnicate")]), kernel: k));
        Assert.Equal("mount on /data: unknown options size=1m, frobnicate", e.Message);
        var ok = new RecordingMountKernel();
        ok.Host["/src"] = NodeKind.Directory;
        Run(Config([M("/data", "bind", "/src", "bind", "z", "Z", "U", "notmpcopyup", "copy-symlink")]), kernel: ok);
        Assert.Equal(["bind /src on /data"], ok.Of("bind"));
    }

    [Fact]
    public void ABindSourceIsOpenedOnceAndMayBeRelativeToTheBundle()
    {
        var k = new RecordingMountKernel();
        k.Host["/bundle/data.txt"] = NodeKind.File;
        Run(Config([M("/etc/data.txt", "none", "data.txt", "bind")]), kernel: k);
        Assert.Equal(["create /etc/data.txt", "bind /bundle/data.txt on /etc/data.txt"], k.Ops.Where(o => o.Contains("data.txt", StringComparison.Ordinal)));
        var missing = Assert.Throws<RuntimeException>(() => Run(Config([M("/x", "bind", "/nope", "bind")])));
        Assert.Equal("bind mount source /nope does not exist", missing.Message);
    }

    [Theory]
    [InlineData("/proc/self/attr", "bind", "cannot be mounted because it is inside /proc")]
    [InlineData("/proc/sys/kernel", "tmpfs", "cannot be mounted because it is inside /proc")]
    [InlineData("/proc", "tmpfs", "cannot be mounted because it is not of type proc")]
    [InlineData("/proc/../proc", "bind", "cannot be mounted because it is not of type proc")]
    public void NothingButProcGoesOnOrInsideProc(string dest, string type, string message)
    {
        var k = new RecordingMountKernel();
        k.Host["/src"] = NodeKind.Directory;
        var spec = Config([M("/proc", "proc", "proc"), type == "bind" ? M(dest, "bind", "/src", "bind") : M(dest, type, type)]);
        var e = Assert.Throws<RuntimeException>(() => Run(spec, kernel: k));
        Assert.Equal($"{dest} {message}", e.Message);
    }

    [Fact]
    public void LxcfsFilesMayBeBoundInsideProc()
    {
        var k = new RecordingMountKernel();
        k.Host["/var/lib/lxcfs/proc/meminfo"] = NodeKind.File;
        k.Container["/proc/meminfo"] = NodeKind.File;
        Run(Config([M("/proc", "proc", "proc"), M("/proc/meminfo", "bind", "/var/lib/lxcfs/proc/meminfo", "bind")]), kernel: k);
        Assert.Contains("bind /var/lib/lxcfs/proc/meminfo on /proc/meminfo", k.Ops);
    }

    [Fact]
    public void IdmappedMountsGetAUserNamespaceWithTheMountsMaps()
    {
        var k = new RecordingMountKernel();
        k.Host["/src"] = NodeKind.Directory;
        var m = M("/data", "bind", "/src", "rbind", "idmap");
        m.UidMappings = [new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];
        m.GidMappings = [new IdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];
        Run(Config([m]), kernel: k);
        Assert.Equal(["create /data/", "userns(u=0:1000:1 g=0:1000:1)", "clone /src recursive", "idmap /src with userns(u=0:1000:1 g=0:1000:1)", "attach /src on /data"],
            k.Ops.Skip(2).Take(5));
    }

    [Fact]
    public void APreparedIdmappedMountIsAttachedAsItIs()
    {
        var k = new RecordingMountKernel();
        var m = M("/data", "bind", "/src-the-init-cannot-see", "ridmap");
        var request = new RootfsRequest
        {
            Spec = Config([m]), Rootfs = "/rootfs", PreparedMounts = new Dictionary<int, Node> { [0] = new Node("prepared:/src", NodeKind.Directory) },
        };
        RootfsSetup.Run(k, request);
        Assert.Equal(["attach prepared:/src on /data"], k.Of("attach", "clone", "idmap", "userns(u="));
    }

    [Fact]
    public void CreateCanPrepareIdmappedMounts()
    {
        var k = new RecordingMountKernel();
        k.Host["/src"] = NodeKind.Directory;
        var m = M("/data", "bind", "/src", "bind", "ridmap");
        m.UidMappings = [new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
        m.GidMappings = [new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
        var prepared = IdmappedMounts.Prepare(k, Config([M("/proc", "proc", "proc"), m]), "/bundle");
        Assert.Equal([1], prepared.Keys);
        Assert.Equal(["userns(u=0:100000:65536 g=0:100000:65536)", "clone /src recursive", "idmap /src with userns(u=0:100000:65536 g=0:100000:65536) recursive"], k.Ops);
    }

    [Theory]
    [InlineData("tmpfs", "idmap", "mount on /data: idmap and ridmap apply to bind mounts only")]
    [InlineData("bind", "idmap", "mount on /data: idmap needs the mount's uidMappings and gidMappings")]
    [InlineData("proc", "tmpcopyup", "mount on /data: tmpcopyup applies to tmpfs mounts only")]
    public void MisplacedIdmapAndTmpcopyupAreErrors(string type, string option, string message)
    {
        var k = new RecordingMountKernel();
        k.Host["/src"] = NodeKind.Directory;
        var e = Assert.Throws<RuntimeException>(() => Run(Config([M("/data", type, type == "bind" ? "/src" : type, option)]), kernel: k));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void LinuxDevicesAreMadeRelativeToTheirDirectory()
    {
        var spec = Config([M("/dev", "tmpfs", "tmpfs")]);
        spec.Linux!.Devices =
        [
            new Device { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229, FileMode = 0x21b6, Uid = 0, Gid = 0 },
            new Device { Path = "/dev/sub/loop7", Type = "b", Major = 7, Minor = 7, FileMode = 0x1a0, Uid = 5, Gid = 6 },
            new Device { Path = "/dev/kmsg", Type = "u", Major = 1, Minor = 11 },
            new Device { Path = "/dev/pipe", Type = "p" },
            new Device { Path = "/dev/null", Type = "c", Major = 1, Minor = 3, FileMode = 0x180 }, // replaces the standard one
        ];
        var k = Run(spec);
        Assert.Equal(
        [
            "mknod /dev/zero c 1:5 666 0:0", "mknod /dev/full c 1:7 666 0:0", "mknod /dev/random c 1:8 666 0:0", "mknod /dev/urandom c 1:9 666 0:0",
            "mknod /dev/tty c 5:0 666 0:0", "mknod /dev/fuse c 10:229 666 0:0", "mknod /dev/sub/loop7 b 7:7 640 5:6", "mknod /dev/kmsg c 1:11 666 0:0",
            "mknod /dev/pipe p 0:0 666 0:0", "mknod /dev/null c 1:3 600 0:0",
        ], k.Of("mknod"));
        Assert.Contains("create /dev/sub/", k.Ops);
    }

    [Fact]
    public void WithoutCapMknodDevicesAreBoundFromTheHost()
    {
        var k = new RecordingMountKernel { Fail = op => op.StartsWith("mknod /dev/fuse", StringComparison.Ordinal) ? Errno.EPERM : 0 };
        var spec = Config([M("/dev", "tmpfs", "tmpfs")]);
        spec.Linux!.Devices = [new Device { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }];
        Run(spec, kernel: k);
        Assert.Equal(["file /dev/fuse", "bind /dev/fuse on /dev/fuse"], k.Ops.Where(o => o.Contains("/dev/fuse", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("x", "/dev/x", "linux.devices: /dev/x has type x, not c, b, u or p")]
    [InlineData("c", "dev/x", "linux.devices: dev/x is not an absolute path to a file")]
    [InlineData("c", "/..", "linux.devices: /.. is not an absolute path to a file")]
    public void BadDevicesAreRefused(string type, string path, string message)
    {
        var spec = Config([M("/dev", "tmpfs", "tmpfs")]);
        spec.Linux!.Devices = [new Device { Path = path, Type = type, Major = 1, Minor = 1 }];
        Assert.Equal(message, Assert.Throws<RuntimeException>(() => Run(spec)).Message);
    }

    [Fact]
    public void ABoundDevGetsNoNodes()
    {
        var k = new RecordingMountKernel();
        k.Host["/dev"] = NodeKind.Directory;
        var spec = Config([M("/dev", "bind", "/dev", "rbind")]);
        spec.Linux!.Devices = [new Device { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }];
        Run(spec, kernel: k);
        Assert.Empty(k.Of("mknod", "symlink", "file"));
    }

    [Fact]
    public void TheCoreLinkExistsOnlyWhereTheHostHasKcore()
    {
        Assert.DoesNotContain("symlink /dev/core -> /proc/kcore", Run(Config()).Ops);
        var k = new RecordingMountKernel();
        k.Host["/proc/kcore"] = NodeKind.File;
        Assert.Contains("symlink /dev/core -> /proc/kcore", Run(Config(), kernel: k).Ops);
    }

    [Fact]
    public void MaskedFilesGetTheNullDeviceOnlyIfItIsOne()
    {
        var spec = Config();
        spec.Linux!.MaskedPaths = ["/etc/secret"];
        var k = new RecordingMountKernel();
        k.Container["/etc/secret"] = NodeKind.File;
        Run(spec, kernel: k);
        Assert.Equal("bind /dev/null on /etc/secret", k.Ops[^1]);

        var fake = new RecordingMountKernel();
        fake.Container["/etc/secret"] = NodeKind.File;
        var withBoundDev = Config([M("/dev", "bind", "/devsrc", "rbind")]);
        withBoundDev.Linux!.MaskedPaths = ["/etc/secret"];
        fake.Host["/devsrc"] = NodeKind.Directory;
        fake.Container["/dev/null"] = NodeKind.File; // the image's: an ordinary file
        var e = Assert.Throws<RuntimeException>(() => Run(withBoundDev, kernel: fake));
        Assert.Equal("maskedPaths: /dev/null in the container is not the null device", e.Message);
    }

    [Fact]
    public void CgroupV2IsAFreshFilesystemOrTheInitsOwnCgroupWhereThatIsRefused()
    {
        var k = new RecordingMountKernel();
        k.Files["/proc/self/mountinfo"] = "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        k.Files["/proc/self/cgroup"] = "0::/machine/c1\n";
        k.Host["/sys/fs/cgroup/machine/c1"] = NodeKind.Directory;
        var spec = Config([M("/sys/fs/cgroup", "cgroup2", "cgroup", "ro", "nosuid")], "mount", "cgroup");
        Run(spec, kernel: k);
        Assert.Equal(["mount cgroup2 cgroup2 on /sys/fs/cgroup ro,nosuid"], k.Of("mount"));

        var refused = new RecordingMountKernel { Fail = op => op.StartsWith("mount cgroup2", StringComparison.Ordinal) ? Errno.EPERM : 0 };
        foreach (var (file, text) in k.Files) refused.Files[file] = text;
        refused.Host["/sys/fs/cgroup/machine/c1"] = NodeKind.Directory;
        Run(spec, kernel: refused);
        Assert.Equal(["bind /sys/fs/cgroup/machine/c1 on /sys/fs/cgroup recursive", "flags /sys/fs/cgroup ro,nosuid"], refused.Of("bind", "flags"));
    }

    [Fact]
    public void CgroupV1WithACgroupNamespaceMountsEachHierarchyFreshAndLinksMergedOnes()
    {
        var k = new RecordingMountKernel();
        k.Files["/proc/self/mountinfo"] = string.Join('\n',
            "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
            "33 31 0:30 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
            "34 31 0:31 / /sys/fs/cgroup/net_cls rw - cgroup cgroup rw,net_cls");
        k.Files["/proc/self/cgroup"] = "5:name=systemd:/\n3:cpu,cpuacct:/\n0::/\n";
        Run(Config([M("/sys/fs/cgroup", "cgroup", "cgroup", "ro")], "mount", "cgroup"), kernel: k);
        Assert.Equal(
        [
            "mount tmpfs tmpfs on /sys/fs/cgroup nosuid,nodev,noexec [mode=755]",
            "mount cgroup cgroup on /sys/fs/cgroup/cpu,cpuacct ro [cpu,cpuacct]",
            "mount cgroup cgroup on /sys/fs/cgroup/systemd ro [name=systemd]",
            "symlink /sys/fs/cgroup/cpu -> cpu,cpuacct", "symlink /sys/fs/cgroup/cpuacct -> cpu,cpuacct",
            "add-flags /sys/fs/cgroup ro",
        ], k.Of("mount", "symlink", "add-flags").Where(o => o.Contains("cgroup", StringComparison.Ordinal)));
    }
}
