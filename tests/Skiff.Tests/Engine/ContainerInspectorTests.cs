using System.Text.Json;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Engine.Inspect;
using Skiff.Engine.Lifecycle;
using Skiff.Oci.Runtime;

namespace Skiff.Tests.Engine;

/// <summary>The engine's inspect report of a container, from its record and its config.json (the image is not in the store here).</summary>
public sealed class ContainerInspectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-inspect-").FullName;
    private readonly SkiffPaths _paths;

    public ContainerInspectorTests()
        => _paths = new SkiffPaths { Rootless = false, HostUid = 0, GraphRoot = Path.Combine(_dir, "graph"), RunRoot = Path.Combine(_dir, "run") };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ContainerRecord Record(string state = ContainerStates.Exited) => new()
    {
        Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        Name = "web",
        ImageId = "12a5bfb42764ad535ccf498364cbcdc5ee51e97a3f6c3355be91b4508a2720e0",
        ImageName = "127.0.0.1:5000/library/busybox:latest",
        Command = ["/bin/sh", "-c", "echo hi"],
        Entrypoint = ["/bin/sh"],
        Cmd = ["-c", "echo hi"],
        Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)),
        State = state,
        Pid = 4242,
        MonitorPid = 4241,
        ExitCode = state == ContainerStates.Exited ? 7 : null,
        StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero),
        FinishedAt = state == ContainerStates.Exited ? new DateTimeOffset(2026, 1, 2, 3, 4, 7, TimeSpan.Zero) : null,
        RestartPolicy = "on-failure",
        RestartRetries = 3,
        RestartCount = 1,
        StopSignal = 2,
        StopTimeout = 5,
        Terminal = true,
        Stdin = true,
        User = "1000",
        Labels = new() { ["a"] = "b" },
        CreateCommand = ["skiff", "run", "busybox"],
        Runtime = "/usr/sbin/runc",
    };

    private void WriteSpec(ContainerRecord record, Spec spec)
    {
        var bundle = new ContainerFiles(_paths, record.Id).Bundle;
        Directory.CreateDirectory(bundle);
        File.WriteAllBytes(Path.Combine(bundle, "config.json"), JsonSerializer.SerializeToUtf8Bytes(spec, RuntimeJsonContext.Default.Spec));
    }

    private static Spec Spec() => new()
    {
        Hostname = "hh",
        Process = new Process
        {
            Env = ["PATH=/bin", "HOSTNAME=hh"],
            Cwd = "/tmp",
            Capabilities = new Capabilities
            {
                // the defaults without CAP_CHOWN, with CAP_NET_ADMIN
                Bounding = ["CAP_SYS_CHROOT", "CAP_NET_ADMIN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID"],
                Effective = ["CAP_KILL", "CAP_NET_ADMIN"],
            },
            Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Soft = 1024, Hard = 2048 }],
        },
        Root = new Root { Path = "rootfs", Readonly = true },
        Mounts =
        [
            new Mount { Destination = "/dev/shm", Type = "tmpfs", Options = ["nosuid", "size=65536k"] },
            new Mount { Destination = "/tmp", Type = "tmpfs", Options = ["rw", "nosuid"] },
        ],
        Annotations = new() { ["x"] = "y" },
        Linux = new Linux
        {
            Namespaces = [new Namespace { Type = "pid" }, new Namespace { Type = "cgroup" }],
            CgroupsPath = "/skiff/0123",
            Resources = new LinuxResources
            {
                Memory = new MemoryResources { Limit = 64 << 20, Swap = 128 << 20 },
                Cpu = new CpuResources { Quota = 50000, Period = 100000, Cpus = "0-1" },
                Pids = new PidsResources { Limit = 50 },
            },
        },
    };

    private InspectContainerData Inspect(ContainerRecord record, bool size = false)
        => new ContainerInspector(_paths, new ImageService(_paths)).Inspect(record, size);

    [Fact]
    public void The_record_and_the_config_fill_podmans_fields()
    {
        var record = Record();
        WriteSpec(record, Spec());
        var data = Inspect(record);

        Assert.Equal(record.Id, data.Id);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 2, 4, 5, TimeSpan.Zero), data.Created);
        Assert.Equal(TimeSpan.Zero, data.Created.Offset);
        Assert.Equal("/bin/sh", data.Path);
        Assert.Equal(["-c", "echo hi"], data.Args);
        Assert.Equal(("exited", false, 0, 0, 7), (data.State.Status, data.State.Running, data.State.Pid, data.State.ConmonPid, data.State.ExitCode));
        Assert.Null(data.State.CgroupPath);
        Assert.Equal(DateTimeOffset.MinValue, data.State.CheckpointedAt);
        Assert.Equal("runc", data.OCIRuntime);
        Assert.Equal(1, data.RestartCount);
        Assert.Equal(["CAP_KILL", "CAP_NET_ADMIN"], data.EffectiveCaps);
        Assert.Equal("CAP_DAC_OVERRIDE", data.BoundingCaps[0]);
        Assert.EndsWith("/userdata/config.json", data.OCIConfigPath, StringComparison.Ordinal);

        var c = data.Config;
        Assert.Equal(("hh", "1000", true, true, "/tmp", "/bin/sh"), (c.Hostname, c.User, c.Tty, c.OpenStdin, c.WorkingDir, c.Entrypoint));
        Assert.Equal(["-c", "echo hi"], c.Cmd);
        Assert.Equal(["PATH=/bin", "HOSTNAME=hh"], c.Env);
        Assert.Equal("b", c.Labels!["a"]);
        Assert.Equal("y", c.Annotations!["x"]);
        Assert.Equal((2, 5), (c.StopSignal, c.StopTimeout));
        Assert.Equal(["skiff", "run", "busybox"], c.CreateCommand);

        var h = data.HostConfig;
        Assert.Equal(("on-failure", 3), (h.RestartPolicy.Name, h.RestartPolicy.MaximumRetryCount));
        Assert.Equal(["CAP_NET_ADMIN"], h.CapAdd);
        Assert.Equal(["CAP_CHOWN"], h.CapDrop);
        Assert.False(h.Privileged);
        Assert.True(h.ReadonlyRootfs);
        Assert.Equal("rw,nosuid", h.Tmpfs["/tmp"]);
        Assert.Equal(64 << 20, h.ShmSize);
        Assert.Equal((64L << 20, 128L << 20, 50L), (h.Memory, h.MemorySwap, h.PidsLimit));
        Assert.Equal((50000L, 100000UL, 500_000_000L, "0-1"), (h.CpuQuota, h.CpuPeriod, h.NanoCpus, h.CpusetCpus));
        Assert.Equal("private", h.CgroupMode);
        Assert.Equal(("RLIMIT_NOFILE", 1024L, 2048L), (h.Ulimits[0].Name, h.Ulimits[0].Soft, h.Ulimits[0].Hard));
        Assert.EndsWith("/userdata/ctr.log", h.LogConfig.Path, StringComparison.Ordinal);
        Assert.Null(data.SizeRw);
    }

    [Fact]
    public void A_running_container_has_its_pids_and_cgroup()
    {
        var record = Record(ContainerStates.Running);
        WriteSpec(record, Spec());
        var data = Inspect(record);
        Assert.Equal(("running", true, 4242, 4241, 0), (data.State.Status, data.State.Running, data.State.Pid, data.State.ConmonPid, data.State.ExitCode));
        Assert.Equal("/skiff/0123", data.State.CgroupPath);
        Assert.Equal(DateTimeOffset.MinValue, data.State.FinishedAt);
    }

    [Fact]
    public void An_initialized_container_has_a_pid_but_is_not_running()
    {
        var record = Record(ContainerStates.Initialized);
        WriteSpec(record, Spec());
        var data = Inspect(record);
        Assert.Equal(("initialized", false, 4242), (data.State.Status, data.State.Running, data.State.Pid));
    }

    [Fact]
    public void Without_labels_or_config_the_zero_values_are_podmans()
    {
        var record = Record(ContainerStates.Configured);
        record.Labels = [];
        record.RestartPolicy = "no";
        var data = Inspect(record); // no config.json: an interrupted create
        Assert.Null(data.Config.Labels);
        Assert.Equal("", data.HostConfig.RestartPolicy.Name);
        Assert.Equal("/", data.Config.WorkingDir);
        Assert.Equal("0123456789ab", data.Config.Hostname);
        Assert.Empty(data.HostConfig.CapDrop);
        Assert.Equal(65536000, data.HostConfig.ShmSize);
    }

    [Fact]
    public void Size_counts_the_container_layers_files()
    {
        var record = Record();
        WriteSpec(record, Spec());
        string upper = new ContainerFiles(_paths, record.Id).Layer.Upper;
        Directory.CreateDirectory(Path.Combine(upper, "etc"));
        File.WriteAllBytes(Path.Combine(upper, "etc", "a"), new byte[1000]);
        File.WriteAllBytes(Path.Combine(upper, "b"), new byte[234]);
        var data = Inspect(record, size: true);
        Assert.Equal(1234, data.SizeRw);
        Assert.Equal(1234, data.SizeRootFs); // the image is not in this store
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(10 * 1024 * 1024, "10.49MB")]
    [InlineData(2_000_000_000, "2GB")]
    public void Sizes_read_as_gos_units(long bytes, string expected)
        => Assert.Equal(expected, ContainerInspector.HumanSize(bytes));
}
