using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>v2 cpuset: cpuset.cpus and cpuset.mems (an empty v2 cpuset uses its parent's; no copying needed).</summary>
public sealed class Cpuset : IController
{
    public string Name => "cpuset";

    public bool IsSet(LinuxResources r) => r.Cpu is { } c && (!string.IsNullOrEmpty(c.Cpus) || !string.IsNullOrEmpty(c.Mems));

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.Cpu is not { } c) return;
        if (!string.IsNullOrEmpty(c.Cpus)) dir.Write("cpuset.cpus", c.Cpus);
        if (!string.IsNullOrEmpty(c.Mems)) dir.Write("cpuset.mems", c.Mems);
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        if (!dir.Has("cpuset.cpus.effective")) return;
        stats.CpuSet.Cpus = V1.Cpuset.ParseList(dir, "cpuset.cpus.effective");
        stats.CpuSet.Mems = V1.Cpuset.ParseList(dir, "cpuset.mems.effective");
    }
}
