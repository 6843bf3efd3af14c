using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>v2 cpuset: cpuset.cpus and cpuset.mems (an empty v2 cpuset uses its parent's; no copying needed).</summary>
public sealed class Cpuset : IController
{
    public string Name => "cpuset";

    // cpuset.cpus and cpuset.mems have the same names and formats in v1: its controller writes them.
    private static readonly V1.Cpuset Files = new();

    public bool IsSet(LinuxResources r) => Files.IsSet(r);

    public void Set(CgroupDir dir, LinuxResources r) => Files.Set(dir, r);

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        if (!dir.Has("cpuset.cpus.effective")) return;
        stats.CpuSet.Cpus = V1.Cpuset.ParseList(dir, "cpuset.cpus.effective");
        stats.CpuSet.Mems = V1.Cpuset.ParseList(dir, "cpuset.mems.effective");
    }
}
