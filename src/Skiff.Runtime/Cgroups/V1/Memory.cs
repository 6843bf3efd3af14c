using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>
/// v1 memory: limit, memory+swap (memsw, written in the order the kernel accepts when both change),
/// soft limit (reservation), swappiness, oom_control; kernel and kernelTCP where the kernel still has
/// their files (ignored where it does not). OOM kills are counted in memory.oom_control.
/// </summary>
public sealed class Memory : IController
{
    public const string Limit = "memory.limit_in_bytes", SwapLimit = "memory.memsw.limit_in_bytes", Usage = "memory.usage_in_bytes",
        MaxUsage = "memory.max_usage_in_bytes", SoftLimit = "memory.soft_limit_in_bytes", Swappiness = "memory.swappiness",
        OomControl = "memory.oom_control", KernelLimit = "memory.kmem.limit_in_bytes", KernelTcpLimit = "memory.kmem.tcp.limit_in_bytes";

    public string Name => "memory";

    public bool IsSet(LinuxResources r) => r.Memory is { } m &&
        (m.Limit is not (null or 0) || m.Reservation is not (null or 0) || m.Swap is not (null or 0) || m.Kernel is not (null or 0) ||
         m.KernelTcp is not (null or 0) || m.Swappiness is not null || m.DisableOomKiller == true);

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.Memory is not { } m) return;
        SetMemoryAndSwap(dir, m.Limit ?? 0, m.Swap ?? 0);
        if (m.Kernel is long k && k != 0 && dir.Has(KernelLimit)) dir.Write(KernelLimit, k);
        if (m.KernelTcp is long kt && kt != 0 && dir.Has(KernelTcpLimit)) dir.Write(KernelTcpLimit, kt);
        if (m.Reservation is long res && res != 0) dir.Write(SoftLimit, res);
        if (m.DisableOomKiller == true) dir.Write(OomControl, "1");
        if (m.Swappiness is ulong s && s != ulong.MaxValue)
        {
            if (s > 100) throw new RuntimeException($"invalid value:{s}. valid memory swappiness range is 0-100");
            dir.Write(Swappiness, s);
        }
    }

    /// <summary>runc's setMemoryAndSwap: with both set, memsw goes first when it grows (the kernel wants memsw >= limit at all times).</summary>
    private static void SetMemoryAndSwap(CgroupDir dir, long limit, long swap)
    {
        if (limit == -1 && swap == 0 && dir.Has(SwapLimit)) swap = -1;
        if (limit != 0 && swap != 0)
        {
            ulong current = dir.ReadUInt(Limit);
            if (swap == -1 || current < (ulong)swap)
            {
                dir.Write(SwapLimit, swap);
                SetLimit(dir, limit);
                return;
            }
        }
        SetLimit(dir, limit);
        if (swap != 0) dir.Write(SwapLimit, swap);
    }

    private static void SetLimit(CgroupDir dir, long limit)
    {
        if (limit == 0) return;
        try { dir.Write(Limit, limit); }
        catch (ErrnoException e) when (e.Errno == Errno.EBUSY)
        {
            throw new RuntimeException($"unable to set memory limit to {limit} (current usage: {dir.ReadUIntOr(Usage, 0)}, peak usage: {dir.ReadUIntOr(MaxUsage, 0)})");
        }
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        var raw = dir.ReadKeyValues("memory.stat");
        if (raw.Count == 0 && !dir.Has("memory.stat")) return;
        stats.Memory.Raw = new SortedDictionary<string, ulong>(raw, StringComparer.Ordinal);
        stats.Memory.Cache = raw.GetValueOrDefault("cache");
        stats.Memory.Usage = Entry(dir, "memory");
        stats.Memory.Swap = Entry(dir, "memory.memsw");
        stats.Memory.Kernel = Entry(dir, "memory.kmem");
        stats.Memory.KernelTcp = Entry(dir, "memory.kmem.tcp");
    }

    private static MemoryEntry Entry(CgroupDir dir, string prefix)
    {
        if (!dir.Has(prefix + ".usage_in_bytes")) return new MemoryEntry();
        return new MemoryEntry
        {
            Usage = dir.ReadUIntOr(prefix + ".usage_in_bytes", 0),
            Max = dir.ReadUIntOr(prefix + ".max_usage_in_bytes", 0),
            Failcnt = dir.ReadUIntOr(prefix + ".failcnt", 0),
            Limit = dir.ReadUIntOr(prefix + ".limit_in_bytes", 0),
        };
    }

    /// <summary>How many processes the OOM killer killed in this cgroup.</summary>
    public static ulong OomKillCount(CgroupDir dir) => dir.ReadKeyValues(OomControl).GetValueOrDefault("oom_kill");
}
