using System.Globalization;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>
/// v2 memory: memory.max, memory.swap.max (the OCI swap is memory+swap: the v2 value is the difference,
/// as runc converts it), memory.low for the reservation; -1 is "max". Kernel memory, swappiness and
/// disableOOMKiller have no v2 file and are ignored, as runc ignores them. OOM kills in memory.events.
/// </summary>
public sealed class Memory : IController
{
    public string Name => "memory";

    public bool IsSet(LinuxResources r) => r.Memory is { } m && (m.Limit is not (null or 0) || m.Reservation is not (null or 0) || m.Swap is not (null or 0));

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (!IsSet(r)) return;
        var m = r.Memory!;
        long limit = m.Limit ?? 0, swapTotal = m.Swap ?? 0;
        long swap = ConvertSwap(swapTotal, limit);
        string? swapText = NumberText(swap);
        if (swapText is null && swap == 0 && swapTotal > 0) swapText = "0"; // memory == memory+swap: no swap
        if (swapText is not null) dir.Write("memory.swap.max", swapText);
        if (NumberText(limit) is { } max) dir.Write("memory.max", max);
        if (NumberText(m.Reservation ?? 0) is { } low) dir.Write("memory.low", low);
    }

    /// <summary>runc's ConvertMemorySwapToCgroupV2Value: memory+swap to swap alone.</summary>
    public static long ConvertSwap(long memorySwap, long memory)
    {
        if (memory == -1 && memorySwap == 0) return -1;
        if (memorySwap is -1 or 0) return memorySwap;
        if (memory is 0 or -1) throw new RuntimeException("unable to set swap limit without memory limit");
        if (memory < 0) throw new RuntimeException($"invalid memory value: {memory}");
        if (memorySwap < memory) throw new RuntimeException("memory+swap limit should be >= memory limit");
        return memorySwap - memory;
    }

    /// <summary>0: leave; -1: "max"; else the number.</summary>
    private static string? NumberText(long v) => v switch
    {
        0 => null,
        -1 => "max",
        _ => v.ToString(CultureInfo.InvariantCulture),
    };

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        if (!dir.Has("memory.current")) return;
        var raw = dir.ReadKeyValues("memory.stat");
        stats.Memory.Raw = new SortedDictionary<string, ulong>(raw, StringComparer.Ordinal);
        stats.Memory.Cache = raw.GetValueOrDefault("file");
        var usage = new MemoryEntry { Usage = dir.ReadUIntOr("memory.current", 0), Limit = dir.ReadUIntOr("memory.max", ulong.MaxValue) };
        stats.Memory.Usage = usage;
        if (dir.Has("memory.swap.current"))
        {
            // v1 reports memory+swap; so does runc on v2.
            ulong swapLimit = dir.ReadUIntOr("memory.swap.max", ulong.MaxValue);
            stats.Memory.Swap = new MemoryEntry
            {
                Usage = dir.ReadUIntOr("memory.swap.current", 0) + usage.Usage,
                Limit = swapLimit == ulong.MaxValue || usage.Limit == ulong.MaxValue ? ulong.MaxValue : swapLimit + usage.Limit,
            };
        }
        stats.Memory.Usage.Failcnt = dir.ReadKeyValues("memory.events").GetValueOrDefault("max");
    }

    public static ulong OomKillCount(CgroupDir dir) => dir.ReadKeyValues("memory.events").GetValueOrDefault("oom_kill");
}
