using System.Globalization;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>v1 cpuacct: statistics only (total, per cpu, user and kernel time in nanoseconds).</summary>
public sealed class Cpuacct : IController
{
    private const ulong NanosecondsPerTick = 1_000_000_000 / 100; // USER_HZ is 100 on Linux

    public string Name => "cpuacct";

    public bool IsSet(LinuxResources r) => false;

    public void Set(CgroupDir dir, LinuxResources r) { }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        if (!dir.Has("cpuacct.usage")) return;
        var u = stats.Cpu.Usage;
        u.Total = dir.ReadUIntOr("cpuacct.usage", 0);
        u.Percpu = List(dir, "cpuacct.usage_percpu");
        u.PercpuKernel = List(dir, "cpuacct.usage_percpu_sys");
        u.PercpuUser = List(dir, "cpuacct.usage_percpu_user");
        var s = dir.ReadKeyValues("cpuacct.stat");
        u.User = s.GetValueOrDefault("user") * NanosecondsPerTick;
        u.Kernel = s.GetValueOrDefault("system") * NanosecondsPerTick;
    }

    private static List<ulong>? List(CgroupDir dir, string file)
    {
        try
        {
            return [.. dir.Read(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => ulong.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture))];
        }
        catch (ErrnoException) { return null; }
    }
}
