using Skiff.Oci.Runtime;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Cgroups.Systemd;

namespace Skiff.Tests.Runtime.Cgroups;

/// <summary>The transient unit the systemd manager asks for (the D-Bus call itself needs a running systemd).</summary>
public class SystemdUnitPropertiesTests
{
    private static readonly LinuxResources Limits = new()
    {
        Memory = new MemoryResources { Limit = 67108864, Swap = 134217728, Reservation = 1 << 20 },
        Cpu = new CpuResources { Shares = 1024, Quota = 150000, Period = 100000 },
        Pids = new PidsResources { Limit = 33 },
        BlockIo = new BlockIoResources { Weight = 500 },
    };

    private static Dictionary<string, object> Props(bool unified, LinuxResources r) =>
        UnitProperties.For(new SystemdUnitName("machine.slice", "libpod", "abc"), 42, r, unified).ToDictionary(p => p.Name, p => p.Value);

    [Fact]
    public void AScopeInItsSliceWithThePidDelegated()
    {
        var p = Props(false, new LinuxResources());
        Assert.Equal("machine.slice", p["Slice"]);
        Assert.Equal(new uint[] { 42 }, p["PIDs"]);
        Assert.Equal(true, p["Delegate"]);
        Assert.Equal(false, p["DefaultDependencies"]);
        Assert.DoesNotContain("MemoryLimit", p.Keys);
    }

    [Fact]
    public void V1LimitsUnderTheirV1Names()
    {
        var p = Props(false, Limits);
        Assert.Equal(67108864UL, p["MemoryLimit"]);
        Assert.Equal(1024UL, p["CPUShares"]);
        Assert.Equal(1_500_000UL, p["CPUQuotaPerSecUSec"]);
        Assert.Equal(100000UL, p["CPUQuotaPeriodUSec"]);
        Assert.Equal(33UL, p["TasksMax"]);
        Assert.Equal(500UL, p["BlockIOWeight"]);
        Assert.DoesNotContain("MemoryMax", p.Keys);
    }

    [Fact]
    public void V2LimitsUnderTheirV2NamesConverted()
    {
        var p = Props(true, Limits);
        Assert.Equal(67108864UL, p["MemoryMax"]);
        Assert.Equal(67108864UL, p["MemorySwapMax"]);
        Assert.Equal(1048576UL, p["MemoryLow"]);
        Assert.Equal(39UL, p["CPUWeight"]);
        Assert.Equal(4950UL, p["IOWeight"]);
    }

    [Fact]
    public void QuotaIsRoundedUpToTenMillisecondsAndUnlimitedIsMax()
    {
        var p = Props(false, new LinuxResources { Cpu = new CpuResources { Quota = 12345, Period = 100000 }, Pids = new PidsResources { Limit = -1 } });
        Assert.Equal(130000UL, p["CPUQuotaPerSecUSec"]);
        Assert.Equal(ulong.MaxValue, p["TasksMax"]);
    }

    [Fact]
    public void TheUnitLivesUnderItsSlicesPath()
    {
        using var t = FakeCgroupTree.V1();
        var m = SystemdManager.ForUnit(t.Layout(), new SystemdUnitName("machine-x.slice", "libpod", "abc"), rootless: false, devicesEbpf: false);
        Assert.Equal(Path.Combine(t.Root, "memory/machine.slice/machine-x.slice/libpod-abc.scope"), m.State.Paths["memory"]);
        Assert.Equal("systemd", m.State.Manager);
        Assert.Equal("libpod-abc.scope", m.State.Unit);
    }
}
