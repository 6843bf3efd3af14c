using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.Systemd;

/// <summary>One property of a transient unit: a name and a bool, string, unsigned 64-bit number or array of pids.</summary>
public sealed record UnitProperty(string Name, object Value);

/// <summary>
/// The properties of the transient scope (or slice) that holds a container, as runc's systemd manager makes
/// them: the pid, delegation, the slice, and the limits systemd knows under v1 names (MemoryLimit, CPUShares)
/// or v2 names (MemoryMax, CPUWeight). The cgroupfs writes that follow set every limit anyway.
/// </summary>
public static class UnitProperties
{
    public static List<UnitProperty> For(SystemdUnitName unit, int pid, LinuxResources r, bool unified)
    {
        var p = new List<UnitProperty>
        {
            new("Description", $"skiff-runtime container {unit.Name}"),
            new("PIDs", new[] { (uint)pid }),
            new("Delegate", true),
            new("DefaultDependencies", false),
        };
        if (!unit.Name.EndsWith(".slice", StringComparison.Ordinal)) p.Insert(1, new UnitProperty("Slice", unit.Slice));
        if (r.Memory?.Limit is long limit && limit != 0)
            p.Add(new(unified ? "MemoryMax" : "MemoryLimit", limit < 0 ? ulong.MaxValue : (ulong)limit));
        if (unified && r.Memory?.Reservation is long low && low > 0) p.Add(new("MemoryLow", (ulong)low));
        if (unified && r.Memory is { Swap: long swap and not 0 } m)
        {
            long v2 = V2.Memory.ConvertSwap(swap, m.Limit ?? 0);
            if (v2 != 0 || swap > 0) p.Add(new("MemorySwapMax", v2 < 0 ? ulong.MaxValue : (ulong)v2));
        }
        if (r.Cpu?.Shares is ulong shares && shares != 0)
            p.Add(unified ? new("CPUWeight", V2.Cpu.SharesToWeight(shares)) : new("CPUShares", shares));
        if (r.Cpu?.Period is ulong period && period != 0) p.Add(new("CPUQuotaPeriodUSec", period));
        if (r.Cpu?.Quota is long quota && quota != 0)
        {
            ulong per = r.Cpu.Period is ulong pp && pp != 0 ? pp : 100000;
            // systemd takes the quota per second, in steps of 10 ms (rounded up, as runc does).
            ulong perSec = quota < 0 ? ulong.MaxValue : (ulong)quota * 1_000_000 / per;
            if (perSec != ulong.MaxValue && perSec % 10000 != 0) perSec = (perSec / 10000 + 1) * 10000;
            p.Add(new("CPUQuotaPerSecUSec", perSec));
        }
        if (r.BlockIo?.Weight is ushort w && w != 0)
            p.Add(unified ? new("IOWeight", V2.Io.BlkioToIoWeight(w)) : new("BlockIOWeight", (ulong)w));
        if (r.Pids is { Limit: not 0 } pids) p.Add(new("TasksMax", pids.Limit < 0 ? ulong.MaxValue : (ulong)pids.Limit));
        return p;
    }
}
