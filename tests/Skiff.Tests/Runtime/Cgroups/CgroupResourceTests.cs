using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Cgroups.Devices;

namespace Skiff.Tests.Runtime.Cgroups;

/// <summary>Which file gets which value, for every resource, on fake v1, v2 and hybrid trees.</summary>
public class CgroupResourceTests
{
    private static readonly IReadOnlyList<DeviceRule> DenyAll = DeviceRules.For(new Spec
    {
        Linux = new Linux { Resources = new LinuxResources { Devices = [new DeviceCgroupRule { Allow = false, Access = "rwm" }] } },
    });

    private static CgroupfsManager Create(FakeCgroupTree t, LinuxResources r, string path = "/skiff/c1", bool rootless = false, bool ebpf = false)
    {
        var m = CgroupfsManager.ForPath(t.Layout(), path, rootless, ebpf);
        m.Create(r, DenyAll);
        return m;
    }

    // ---- v1 ----

    [Fact]
    public void V1MemoryLimitReservationSwappinessOomAndKernel()
    {
        using var t = FakeCgroupTree.V1();
        Create(t, new LinuxResources
        {
            Memory = new MemoryResources { Limit = 1 << 26, Reservation = 1 << 25, Swappiness = 10, DisableOomKiller = true, Kernel = 1 << 24, KernelTcp = 1 << 23 },
        });
        Assert.Equal(["67108864"], t.WritesTo("memory/skiff/c1/memory.limit_in_bytes"));
        Assert.Equal(["33554432"], t.WritesTo("memory.soft_limit_in_bytes"));
        Assert.Equal(["10"], t.WritesTo("memory.swappiness"));
        Assert.Equal(["1"], t.WritesTo("memory.oom_control"));
        Assert.Equal(["16777216"], t.WritesTo("memory.kmem.limit_in_bytes"));
        Assert.Equal(["8388608"], t.WritesTo("memory.kmem.tcp.limit_in_bytes"));
        Assert.Empty(t.WritesTo("memory.memsw.limit_in_bytes"));
    }

    [Fact]
    public void V1KernelMemoryIsIgnoredWhereTheKernelHasNoFileForIt()
    {
        using var t = FakeCgroupTree.V1();
        File.Delete(Path.Combine(t.Root, "memory/memory.kmem.limit_in_bytes"));
        File.Delete(Path.Combine(t.Root, "memory/memory.kmem.tcp.limit_in_bytes"));
        Create(t, new LinuxResources { Memory = new MemoryResources { Kernel = 1 << 24, KernelTcp = 1 << 23 } });
        Assert.Empty(t.WritesTo("kmem.limit_in_bytes"));
    }

    [Fact]
    public void V1SwapGoesFirstWhenItGrowsAndLastWhenItShrinks()
    {
        using var t = FakeCgroupTree.V1();
        var m = Create(t, new LinuxResources { Memory = new MemoryResources { Limit = 100, Swap = 200 } });
        // current limit (unlimited) is above the new swap: memory first, then swap.
        Assert.Equal(["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"], MemoryOrder(t));
        t.Writes.Clear();
        m.Update(new LinuxResources { Memory = new MemoryResources { Limit = 300, Swap = 600 } }, null);
        Assert.Equal(["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"], MemoryOrder(t));
        t.Writes.Clear();
        m.Update(new LinuxResources { Memory = new MemoryResources { Limit = -1 } }, null);
        Assert.Equal(["-1"], t.WritesTo("memory.memsw.limit_in_bytes"));
    }

    private static List<string> MemoryOrder(FakeCgroupTree t) =>
        [.. t.Writes.Where(w => w.File.Contains("memory.limit_in_bytes", StringComparison.Ordinal) || w.File.Contains("memsw", StringComparison.Ordinal)).Select(w => Path.GetFileName(w.File))];

    [Fact]
    public void V1SwappinessOutOfRangeIsRefused()
    {
        using var t = FakeCgroupTree.V1();
        var e = Assert.Throws<RuntimeException>(() => Create(t, new LinuxResources { Memory = new MemoryResources { Swappiness = 101 } }));
        Assert.Contains("0-100", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(t.Root, "memory/skiff/c1")), "a failed create leaves nothing");
    }

    [Fact]
    public void V1CpuSharesQuotaPeriodBurstIdleRealtime()
    {
        using var t = FakeCgroupTree.V1();
        Create(t, new LinuxResources
        {
            Cpu = new CpuResources { Shares = 512, Quota = 150000, Period = 100000, Burst = 1000, Idle = 1, RealtimePeriod = 500000, RealtimeRuntime = 20000 },
        });
        Assert.Equal(["512"], t.WritesTo("cpu.shares"));
        Assert.Equal(["150000"], t.WritesTo("cpu.cfs_quota_us"));
        Assert.Equal(["100000"], t.WritesTo("cpu.cfs_period_us"));
        Assert.Equal(["1000"], t.WritesTo("cpu.cfs_burst_us"));
        Assert.Equal(["1"], t.WritesTo("cpu.idle"));
        Assert.Equal(["500000"], t.WritesTo("cpu.rt_period_us"));
        Assert.Equal(["20000"], t.WritesTo("cpu.rt_runtime_us"));
    }

    [Fact]
    public void V1CpuSharesTheKernelClampsAreReported()
    {
        using var t = FakeCgroupTree.V1();
        var m = Create(t, new LinuxResources());
        // The kernel clamps to [2, 262144]; the fake reads back what it got, so make it read back less.
        var clamping = new ClampingFs(t, "cpu.shares", "262144");
        var clamped = CgroupfsManager.FromState(CgroupLayout.Detect(clamping, t.Root), m.State);
        var e = Assert.Throws<RuntimeException>(() => clamped.Update(new LinuxResources { Cpu = new CpuResources { Shares = 300000 } }, null));
        Assert.Equal("the maximum allowed cpu-shares is 262144", e.Message);
    }

    [Fact]
    public void V1CpusetIsFilledFromTheParentsBeforeTheProcessJoins()
    {
        using var t = FakeCgroupTree.V1();
        Create(t, new LinuxResources { Cpu = new CpuResources { Mems = "0" } });
        Assert.Equal("0-3", t.ReadFile("cpuset/skiff/cpuset.cpus"));
        Assert.Equal("0", t.ReadFile("cpuset/skiff/cpuset.mems"));
        Assert.Equal("0-3", t.ReadFile("cpuset/skiff/c1/cpuset.cpus"));
        Assert.Equal(["0"], t.WritesTo("cpuset/skiff/c1/cpuset.mems"));
        using var t2 = FakeCgroupTree.V1();
        Create(t2, new LinuxResources { Cpu = new CpuResources { Cpus = "1-2", Mems = "0" } });
        Assert.Equal(["1-2"], t2.WritesTo("skiff/c1/cpuset.cpus"));
    }

    [Theory]
    [InlineData(50L, "50")]
    [InlineData(-1L, "max")]
    public void PidsLimit(long limit, string written)
    {
        using var v1 = FakeCgroupTree.V1();
        Create(v1, new LinuxResources { Pids = new PidsResources { Limit = limit } });
        Assert.Equal([written], v1.WritesTo("pids/skiff/c1/pids.max"));
        using var v2 = FakeCgroupTree.V2();
        Create(v2, new LinuxResources { Pids = new PidsResources { Limit = limit } });
        Assert.Equal([written], v2.WritesTo("skiff/c1/pids.max"));
    }

    [Fact]
    public void PidsLimitZeroLeavesTheFile()
    {
        using var t = FakeCgroupTree.V1();
        Create(t, new LinuxResources { Pids = new PidsResources { Limit = 0 } });
        Assert.Empty(t.WritesTo("pids.max"));
    }

    [Fact]
    public void V1BlkioWeightsAndThrottles()
    {
        using var t = FakeCgroupTree.V1();
        Create(t, new LinuxResources
        {
            BlockIo = new BlockIoResources
            {
                Weight = 300, LeafWeight = 200,
                WeightDevice = [new WeightDevice { Major = 8, Minor = 0, Weight = 400, LeafWeight = 100 }],
                ThrottleReadBpsDevice = [new ThrottleDevice { Major = 8, Minor = 0, Rate = 1048576 }, new ThrottleDevice { Major = 8, Minor = 16, Rate = 2048 }],
                ThrottleWriteBpsDevice = [new ThrottleDevice { Major = 8, Minor = 0, Rate = 4096 }],
                ThrottleReadIopsDevice = [new ThrottleDevice { Major = 8, Minor = 0, Rate = 100 }],
                ThrottleWriteIopsDevice = [new ThrottleDevice { Major = 8, Minor = 0, Rate = 200 }],
            },
        });
        Assert.Equal(["300"], t.WritesTo("blkio.weight"));
        Assert.Equal(["200"], t.WritesTo("blkio.leaf_weight"));
        Assert.Equal(["8:0 400"], t.WritesTo("blkio.weight_device"));
        Assert.Equal(["8:0 100"], t.WritesTo("blkio.leaf_weight_device"));
        Assert.Equal(["8:0 1048576", "8:16 2048"], t.WritesTo("blkio.throttle.read_bps_device"));
        Assert.Equal(["8:0 4096"], t.WritesTo("blkio.throttle.write_bps_device"));
        Assert.Equal(["8:0 100"], t.WritesTo("blkio.throttle.read_iops_device"));
        Assert.Equal(["8:0 200"], t.WritesTo("blkio.throttle.write_iops_device"));
    }

    [Fact]
    public void V1BlkioWeightGoesToBfqWithoutCfq()
    {
        using var t = FakeCgroupTree.V1();
        File.Delete(Path.Combine(t.Root, "blkio/blkio.weight"));
        File.Delete(Path.Combine(t.Root, "blkio/blkio.weight_device"));
        File.WriteAllText(Path.Combine(t.Root, "blkio/blkio.bfq.weight"), "100");
        File.WriteAllText(Path.Combine(t.Root, "blkio/blkio.bfq.weight_device"), "");
        Create(t, new LinuxResources { BlockIo = new BlockIoResources { Weight = 300, WeightDevice = [new WeightDevice { Major = 8, Minor = 0, Weight = 400 }] } });
        Assert.Equal(["300"], t.WritesTo("blkio.bfq.weight"));
        Assert.Equal(["8:0 400"], t.WritesTo("blkio.bfq.weight_device"));
    }

    [Fact]
    public void V1HugetlbNetClsNetPrioRdma()
    {
        using var t = FakeCgroupTree.V1();
        Create(t, new LinuxResources
        {
            HugepageLimits = [new HugepageLimit { PageSize = "2MB", Limit = 4194304 }, new HugepageLimit { PageSize = "1GB", Limit = 1073741824 }],
            Network = new NetworkResources { ClassId = 0x100001, Priorities = [new InterfacePriority { Name = "eth0", Priority = 5 }, new InterfacePriority { Name = "lo", Priority = 2 }] },
            Rdma = new Dictionary<string, RdmaLimit> { ["mlx5_1"] = new RdmaLimit { HcaHandles = 3, HcaObjects = 10000 }, ["mlx4_0"] = new RdmaLimit { HcaObjects = 5 } },
        });
        Assert.Equal(["4194304"], t.WritesTo("hugetlb.2MB.limit_in_bytes"));
        Assert.Equal(["1073741824"], t.WritesTo("hugetlb.1GB.limit_in_bytes"));
        Assert.Equal(["1048577"], t.WritesTo("net_cls.classid"));
        Assert.Equal(["eth0 5", "lo 2"], t.WritesTo("net_prio.ifpriomap"));
        Assert.Equal(["mlx5_1 hca_handle=3 hca_object=10000", "mlx4_0 hca_object=5"], t.WritesTo("rdma.max"));
    }

    [Fact]
    public void AnUnknownHugePageSizeIsAClearError()
    {
        using var t = FakeCgroupTree.V1();
        var e = Assert.Throws<RuntimeException>(() => Create(t, new LinuxResources { HugepageLimits = [new HugepageLimit { PageSize = "3MB", Limit = 1 }] }));
        Assert.Contains("3MB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V1RefusesUnified()
    {
        using var t = FakeCgroupTree.V1();
        var e = Assert.Throws<RuntimeException>(() => Create(t, new LinuxResources { Unified = new() { ["memory.high"] = "1G" } }));
        Assert.Contains("cgroup v1 host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V1DevicesDenyAllThenAllowTheDefaults()
    {
        using var t = FakeCgroupTree.V1();
        Create(t, new LinuxResources());
        Assert.Equal(["a *:* rwm"], t.WritesTo("devices/skiff/c1/devices.deny"));
        Assert.Equal(["b *:* m", "c *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 10:200 rwm", "c 136:* rwm"],
            t.WritesTo("devices/skiff/c1/devices.allow"));
        // The deny comes before any allow.
        int deny = t.Writes.FindIndex(w => w.File.EndsWith("devices.deny", StringComparison.Ordinal));
        int allow = t.Writes.FindIndex(w => w.File.EndsWith("devices.allow", StringComparison.Ordinal));
        Assert.True(deny < allow);
    }

    [Fact]
    public void AMissingControllerThatALimitNeedsIsAnErrorAsRoot()
    {
        using var t = FakeCgroupTree.V1("memory", "devices", "freezer");
        var e = Assert.Throws<RuntimeException>(() => Create(t, new LinuxResources { Pids = new PidsResources { Limit = 5 } }));
        Assert.Equal("cannot set pids limit: the pids controller is not available on this host", e.Message);
    }

    [Fact]
    public void WithoutADevicesControllerCreateIsRefused()
    {
        using var t = FakeCgroupTree.V1("memory", "pids");
        var e = Assert.Throws<RuntimeException>(() => Create(t, new LinuxResources()));
        Assert.Contains("device rules", e.Message, StringComparison.Ordinal);
    }

    // ---- v2 ----

    [Fact]
    public void V2MemoryConvertsSwapAndWritesMaxAndLow()
    {
        using var t = FakeCgroupTree.V2();
        var m = Create(t, new LinuxResources { Memory = new MemoryResources { Limit = 1 << 26, Swap = 1 << 27, Reservation = 1 << 25, Swappiness = 10, DisableOomKiller = true, Kernel = 5 } });
        Assert.Equal(["67108864"], t.WritesTo("memory.max"));
        Assert.Equal(["67108864"], t.WritesTo("memory.swap.max"));
        Assert.Equal(["33554432"], t.WritesTo("memory.low"));
        Assert.DoesNotContain(t.Writes, w => w.File.Contains("swappiness", StringComparison.Ordinal) || w.File.Contains("oom", StringComparison.Ordinal));
        t.Writes.Clear();
        m.Update(new LinuxResources { Memory = new MemoryResources { Limit = 1 << 26, Swap = 1 << 26 } }, null);
        Assert.Equal(["0"], t.WritesTo("memory.swap.max"));
        t.Writes.Clear();
        m.Update(new LinuxResources { Memory = new MemoryResources { Limit = -1 } }, null);
        Assert.Equal(["max"], t.WritesTo("memory.swap.max"));
        Assert.Equal(["max"], t.WritesTo("memory.max"));
        var e = Assert.Throws<RuntimeException>(() => m.Update(new LinuxResources { Memory = new MemoryResources { Limit = 200, Swap = 100 } }, null));
        Assert.Equal("memory+swap limit should be >= memory limit", e.Message);
    }

    [Theory]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]
    [InlineData(262144UL, 10000UL)]
    public void V2CpuWeightIsRunc11sConversionOfShares(ulong shares, ulong weight) => Assert.Equal(weight, Skiff.Runtime.Cgroups.V2.Cpu.SharesToWeight(shares));

    [Fact]
    public void V2CpuWeightMaxBurstIdle()
    {
        using var t = FakeCgroupTree.V2();
        var m = Create(t, new LinuxResources { Cpu = new CpuResources { Shares = 1024, Quota = 150000, Burst = 5000, Idle = 0 } });
        Assert.Equal(["39"], t.WritesTo("cpu.weight"));
        Assert.Equal(["150000 100000"], t.WritesTo("cpu.max"));
        Assert.Equal(["5000"], t.WritesTo("cpu.max.burst"));
        Assert.Equal(["0"], t.WritesTo("cpu.idle"));
        t.Writes.Clear();
        m.Update(new LinuxResources { Cpu = new CpuResources { Quota = -1, Period = 50000 } }, null);
        Assert.Equal(["max 50000"], t.WritesTo("cpu.max"));
        var e = Assert.Throws<RuntimeException>(() => m.Update(new LinuxResources { Cpu = new CpuResources { RealtimeRuntime = 5 } }, null));
        Assert.Contains("cgroup v2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2CpusetIoHugetlbRdma()
    {
        using var t = FakeCgroupTree.V2();
        Create(t, new LinuxResources
        {
            Cpu = new CpuResources { Cpus = "0-1", Mems = "0" },
            BlockIo = new BlockIoResources
            {
                Weight = 500, LeafWeight = 300,
                ThrottleReadBpsDevice = [new ThrottleDevice { Major = 8, Minor = 0, Rate = 1048576 }],
                ThrottleWriteBpsDevice = [new ThrottleDevice { Major = 8, Minor = 0, Rate = 2 }],
                ThrottleReadIopsDevice = [new ThrottleDevice { Major = 8, Minor = 0, Rate = 3 }],
                ThrottleWriteIopsDevice = [new ThrottleDevice { Major = 8, Minor = 0, Rate = 4 }],
            },
            HugepageLimits = [new HugepageLimit { PageSize = "2MB", Limit = 4194304 }],
            Rdma = new Dictionary<string, RdmaLimit> { ["mlx5_1"] = new RdmaLimit { HcaHandles = 3 } },
        });
        Assert.Equal(["0-1"], t.WritesTo("cpuset.cpus"));
        Assert.Equal(["0"], t.WritesTo("cpuset.mems"));
        Assert.Equal(["4950"], t.WritesTo("io.weight")); // 1 + (500 - 10) * 9999 / 990
        Assert.Equal(["8:0 rbps=1048576", "8:0 wbps=2", "8:0 riops=3", "8:0 wiops=4"], t.WritesTo("io.max"));
        Assert.Equal(["4194304"], t.WritesTo("hugetlb.2MB.max"));
        Assert.Equal(["mlx5_1 hca_handle=3"], t.WritesTo("rdma.max"));
        Assert.DoesNotContain(t.Writes, w => w.File.Contains("leaf", StringComparison.Ordinal));
    }

    [Fact]
    public void V2EnablesEveryControllerInTheParents()
    {
        using var t = FakeCgroupTree.V2();
        Create(t, new LinuxResources { Pids = new PidsResources { Limit = 3 } }, "/a/b/c1");
        Assert.Equal("+cpu +cpuset +hugetlb +io +memory +pids +rdma", t.WritesTo("cgroup.subtree_control").Distinct().Single());
        Assert.Equal(3, t.WritesTo("cgroup.subtree_control").Count); // the root, a, b
    }

    [Fact]
    public void V2UnifiedFilesAreWrittenAndBadNamesRefused()
    {
        using var t = FakeCgroupTree.V2();
        var m = Create(t, new LinuxResources { Unified = new() { ["memory.high"] = "1073741824" } });
        Assert.Equal(["1073741824"], t.WritesTo("skiff/c1/memory.high"));
        var e = Assert.Throws<RuntimeException>(() => m.Update(new LinuxResources { Unified = new() { ["../x"] = "1" } }, null));
        Assert.Contains("no slashes", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<RuntimeException>(() => m.Update(new LinuxResources { Unified = new() { ["misc.max"] = "1" } }, null));
        Assert.Equal("unified resource \"misc.max\" can't be set: controller \"misc\" not available", e.Message);
    }

    [Fact]
    public void V2NetworkResourcesAreRefused()
    {
        using var t = FakeCgroupTree.V2();
        var e = Assert.Throws<RuntimeException>(() => Create(t, new LinuxResources { Network = new NetworkResources { ClassId = 5 } }));
        Assert.Contains("net_cls", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2DevicesAreAnEbpfProgramOnTheContainersCgroup()
    {
        using var t = FakeCgroupTree.V2();
        Create(t, new LinuxResources());
        var (dir, program) = Assert.Single(t.DeviceFilters);
        Assert.Equal("skiff/c1", dir);
        Assert.Equal(DeviceFilterProgram.Build(DenyAll), program);
    }

    // ---- hybrid ----

    [Fact]
    public void HybridPutsHugetlbInTheUnifiedTreeAndTheRestInV1()
    {
        using var t = FakeCgroupTree.Hybrid();
        Create(t, new LinuxResources { HugepageLimits = [new HugepageLimit { PageSize = "2MB", Limit = 2097152 }], Memory = new MemoryResources { Limit = 1 << 26 } });
        Assert.Equal(["2097152"], t.WritesTo("unified/skiff/c1/hugetlb.2MB.max"));
        Assert.Equal(["67108864"], t.WritesTo("memory/skiff/c1/memory.limit_in_bytes"));
        Assert.Contains("+hugetlb", t.WritesTo("unified/cgroup.subtree_control"));
        Assert.Empty(t.DeviceFilters);
        Assert.NotEmpty(t.WritesTo("devices/skiff/c1/devices.deny"));
    }

    [Fact]
    public void HybridWithTheEbpfSwitchFiltersDevicesInTheUnifiedTree()
    {
        using var t = FakeCgroupTree.Hybrid();
        Create(t, new LinuxResources(), ebpf: true);
        Assert.Equal("unified/skiff/c1", Assert.Single(t.DeviceFilters).Dir);
        Assert.Empty(t.WritesTo("devices.deny"));
        Assert.Empty(t.WritesTo("devices.allow"));
    }

    [Fact]
    public void HybridAcceptsUnifiedFilesInItsCgroup2Tree()
    {
        using var t = FakeCgroupTree.Hybrid();
        File.WriteAllText(Path.Combine(t.Root, "unified/cgroup.max.depth"), "max");
        Create(t, new LinuxResources { Unified = new() { ["cgroup.max.depth"] = "3" } });
        Assert.Equal(["3"], t.WritesTo("unified/skiff/c1/cgroup.max.depth"));
    }

    // ---- join, rootless, destroy ----

    [Fact]
    public void JoinWritesThePidToEveryCgroup()
    {
        using var t = FakeCgroupTree.Hybrid();
        var m = Create(t, new LinuxResources());
        m.Join(4242);
        var procs = t.Writes.Where(w => w.File.EndsWith("cgroup.procs", StringComparison.Ordinal)).ToList();
        Assert.Equal(m.State.Paths.Count, procs.Count);
        Assert.All(procs, p => Assert.Equal("4242", p.Value));
        Assert.Contains(procs, p => p.File == "unified/skiff/c1/cgroup.procs");
        Assert.Contains(procs, p => p.File == "systemd/skiff/c1/cgroup.procs");
    }

    [Fact]
    public void RootlessWithoutDelegationSkipsSilentlyWhenNoLimitIsAsked()
    {
        using var t = FakeCgroupTree.V1();
        t.Undelegated.UnionWith(FakeCgroupTree.V1Controllers.Append("systemd"));
        var m = Create(t, new LinuxResources(), rootless: true);
        m.Join(42);
        Assert.Empty(m.State.Paths);
        Assert.Empty(m.Warnings);
        Assert.Empty(t.Writes);
    }

    [Fact]
    public void RootlessWithoutDelegationWarnsInOneLineWhenLimitsAreAsked()
    {
        using var t = FakeCgroupTree.V1();
        t.Undelegated.UnionWith(["memory", "pids"]);
        var m = Create(t, new LinuxResources { Memory = new MemoryResources { Limit = 1 << 26 }, Pids = new PidsResources { Limit = 5 } }, rootless: true);
        string w = Assert.Single(m.Warnings);
        Assert.Equal("resource limits are not supported and ignored: cgroups (memory, pids) are not delegated to this user", w);
        Assert.True(m.State.Paths.ContainsKey("cpu"));
        Assert.False(m.State.Paths.ContainsKey("memory"));
        Assert.Empty(t.WritesTo("devices.deny")); // the kernel refuses device cgroups in a user namespace
    }

    [Fact]
    public void RootlessTrueAsRealRootForgivesPermissionErrorsButStillWritesDeviceRules()
    {
        using var t = FakeCgroupTree.V1();
        t.Undelegated.Add("memory");
        var m = CgroupfsManager.ForPath(t.Layout(), "/skiff/c1", rootless: true, devicesEbpf: false, unprivileged: false);
        m.Create(new LinuxResources(), DenyAll);
        Assert.False(m.State.Paths.ContainsKey("memory"));
        Assert.Equal(["a *:* rwm"], t.WritesTo("devices/skiff/c1/devices.deny"));
        Assert.True(m.State.Rootless);
        Assert.False(m.State.DevicesLeftToKernel);
    }

    [Fact]
    public void RootlessFalseFailsOnACgroupItMayNotCreateInOneLineNamingTheFlag()
    {
        using var t = FakeCgroupTree.V1();
        t.Undelegated.Add("memory");
        var spec = new Spec { Linux = new Linux { CgroupsPath = "/skiff/c1" } };
        var e = Assert.Throws<RuntimeException>(() => CgroupSetup.Create(spec, "c1", 42, false, rootless: false, _ => { }, t.Layout()));
        Assert.Equal($"cannot create the container's cgroup: mkdir {t.Root}/memory/skiff: Permission denied " +
            "(--rootless false: --rootless true or auto runs without the cgroups this user may not create)", e.Message);
        Assert.False(Directory.Exists(Path.Combine(t.Root, "cpu/skiff/c1")), "what was made is removed");
        var forgiven = CgroupSetup.Create(spec, "c1", 42, false, rootless: true, _ => { }, t.Layout());
        Assert.True(forgiven.Rootless);
        Assert.False(forgiven.Paths.ContainsKey("memory"));
        Assert.Equal("42", t.ReadFile("cpu/skiff/c1/cgroup.procs"));
    }

    [Fact]
    public void ARecordFromBeforeTheUnprivilegedFieldLeavesDevicesToTheKernelWhenRootless()
    {
        Assert.True(new CgroupState { Rootless = true }.DevicesLeftToKernel);
        Assert.False(new CgroupState { Rootless = true, Unprivileged = false }.DevicesLeftToKernel);
        Assert.True(new CgroupState { Rootless = false, Unprivileged = true }.DevicesLeftToKernel);
    }

    [Fact]
    public void RootlessUsesADelegatedSubtree()
    {
        using var t = FakeCgroupTree.V2();
        Directory.CreateDirectory(Path.Combine(t.Root, "user.slice"));
        File.WriteAllText(Path.Combine(t.Root, "user.slice/cgroup.subtree_control"), "+memory +pids");
        var m = Create(t, new LinuxResources { Pids = new PidsResources { Limit = 5 } }, path: "/user.slice/c1", rootless: true);
        Assert.Empty(m.Warnings);
        Assert.Equal(["5"], t.WritesTo("user.slice/c1/pids.max"));
    }

    [Fact]
    public void DestroyRemovesSubCgroupsFirstAndOnlyDirectories()
    {
        using var t = FakeCgroupTree.Hybrid();
        var m = Create(t, new LinuxResources());
        t.Mkdir(Path.Combine(t.Root, "memory/skiff/c1/inner"));
        m.Destroy();
        Assert.All(m.State.Paths.Values, d => Assert.False(Directory.Exists(d)));
        Assert.True(Directory.Exists(Path.Combine(t.Root, "memory/skiff")), "the parent is shared with other containers: left");
    }

    [Fact]
    public void DestroyReportsACgroupThatStaysBusy()
    {
        using var t = FakeCgroupTree.V1("memory", "devices");
        var m = Create(t, new LinuxResources());
        File.WriteAllText(Path.Combine(t.Root, "memory/skiff/c1/cgroup.procs"), "77\n");
        var e = Assert.Throws<RuntimeException>(m.Destroy);
        Assert.Contains("Device or resource busy", e.Message, StringComparison.Ordinal);
    }

    // ---- freezer, pids, stats, OOM ----

    [Fact]
    public void FreezerV1AndV2()
    {
        using var v1 = FakeCgroupTree.V1();
        var m1 = Create(v1, new LinuxResources());
        m1.Freeze();
        Assert.True(m1.IsFrozen());
        Assert.Equal("FROZEN", v1.ReadFile("freezer/skiff/c1/freezer.state"));
        m1.Thaw();
        Assert.False(m1.IsFrozen());
        using var v2 = FakeCgroupTree.V2();
        var m2 = Create(v2, new LinuxResources());
        m2.Freeze();
        Assert.True(m2.IsFrozen());
        Assert.Equal(["1"], v2.WritesTo("cgroup.freeze"));
        m2.Thaw();
        Assert.False(m2.IsFrozen());
    }

    [Fact]
    public void PidsAreReadFromTheCgroupAndItsChildren()
    {
        using var t = FakeCgroupTree.V1();
        var m = Create(t, new LinuxResources());
        t.SetFile("devices/skiff/c1/cgroup.procs", "10\n11\n");
        t.Mkdir(Path.Combine(t.Root, "devices/skiff/c1/sub"));
        t.SetFile("devices/skiff/c1/sub/cgroup.procs", "12\n");
        Assert.Equal([10, 11, 12], m.Pids().Order());
    }

    [Fact]
    public void StatsAndOomCountV1()
    {
        using var t = FakeCgroupTree.V1();
        var m = Create(t, new LinuxResources());
        t.SetFile("memory/skiff/c1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        t.SetFile("pids/skiff/c1/pids.current", "3");
        Assert.Equal(2UL, m.OomKillCount());
        var s = m.Stats();
        Assert.Equal(1000UL, s.Cpu.Usage.Total);
        Assert.Equal([600UL, 400UL], s.Cpu.Usage.Percpu);
        Assert.Equal(30_000_000UL, s.Cpu.Usage.User);
        Assert.Equal(5UL, s.Cpu.Throttling.Periods);
        Assert.Equal(4096UL, s.Memory.Usage.Usage);
        Assert.Equal(12UL, s.Memory.Cache);
        Assert.Equal(3UL, s.Pids.Current);
        Assert.Equal(0UL, s.Pids.Limit);
        Assert.Equal([0, 1, 2, 3], s.CpuSet.Cpus!.Select(c => (int)c));
        Assert.Equal(2, s.Blkio.IoServiceBytesRecursive!.Count);
        Assert.True(s.Hugetlb.ContainsKey("2MB"));
    }

    [Fact]
    public void StatsAndOomCountV2()
    {
        using var t = FakeCgroupTree.V2();
        var m = Create(t, new LinuxResources());
        t.SetFile("skiff/c1/memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        Assert.Equal(1UL, m.OomKillCount());
        var s = m.Stats();
        Assert.Equal(10_000UL, s.Cpu.Usage.Total);
        Assert.Equal(20UL, s.Memory.Cache);
        Assert.Equal(4UL, s.Memory.Usage.Failcnt);
        Assert.Equal(ulong.MaxValue, s.Memory.Usage.Limit);
        Assert.Equal("Read", s.Blkio.IoServiceBytesRecursive![0].Op);
        Assert.Equal([0, 1], s.CpuSet.Cpus!.Select(c => (int)c));
    }

    [Fact]
    public void StatsSerializeInRuncsShape()
    {
        var ev = new RuntimeEvent { Type = "stats", Id = "c1", Data = new CgroupStats() };
        string json = System.Text.Json.JsonSerializer.Serialize(ev, CgroupJsonContext.Default.RuntimeEvent);
        Assert.Equal("""{"type":"stats","id":"c1","data":{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},"cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},"memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},"pids":{},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}}""", json);
        Assert.Equal("""{"type":"oom","id":"c1"}""", System.Text.Json.JsonSerializer.Serialize(new RuntimeEvent { Type = "oom", Id = "c1" }, CgroupJsonContext.Default.RuntimeEvent));
    }

    /// <summary>A tree whose one file always reads back a fixed value (a kernel that clamps).</summary>
    private sealed class ClampingFs(FakeCgroupTree inner, string file, string value) : ICgroupFs
    {
        public long FileSystemType(string path) => inner.FileSystemType(path);
        public string ReadProcSelf(string name) => inner.ReadProcSelf(name);
        public string Read(string path) => Path.GetFileName(path) == file ? value : inner.Read(path);
        public void Write(string path, string v) => inner.Write(path, v);
        public bool Exists(string path) => inner.Exists(path);
        public bool Mkdir(string path) => inner.Mkdir(path);
        public int Rmdir(string path) => inner.Rmdir(path);
        public IReadOnlyList<string> SubDirectories(string path) => inner.SubDirectories(path);
        public void AttachDeviceFilter(string dir, byte[] program, string license) => inner.AttachDeviceFilter(dir, program, license);
    }
}
