using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>pids.max (the same file on v1 and v2): a positive limit, or "max" for a negative one; 0 leaves it.</summary>
public sealed class Pids : IController
{
    public string Name => "pids";

    public bool IsSet(LinuxResources r) => r.Pids is { Limit: not 0 };

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.Pids is not { Limit: not 0 } p) return;
        dir.Write("pids.max", p.Limit > 0 ? p.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) : "max");
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        if (!dir.Has("pids.current")) return;
        stats.Pids.Current = dir.ReadUIntOr("pids.current", 0);
        ulong max = dir.ReadUIntOr("pids.max", 0);
        stats.Pids.Limit = max == ulong.MaxValue ? 0 : max;
    }
}
