using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>v2 hugetlb: hugetlb.SIZE.max per page size (also the controller a hybrid host keeps in its cgroup2 tree).</summary>
public sealed class Hugetlb : IController
{
    public string Name => "hugetlb";

    public bool IsSet(LinuxResources r) => r.HugepageLimits is { Count: > 0 };

    public void Set(CgroupDir dir, LinuxResources r)
    {
        foreach (var l in r.HugepageLimits ?? [])
        {
            string file = $"hugetlb.{l.PageSize}.max";
            if (!dir.Has(file)) throw new RuntimeException($"hugepageLimits: page size \"{l.PageSize}\" is not supported by this kernel (no {file})");
            dir.Write(file, l.Limit);
        }
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        foreach (string size in V1.Hugetlb.PageSizes(dir, ".max"))
        {
            stats.Hugetlb[size] = new HugetlbStats
            {
                Usage = dir.ReadUIntOr($"hugetlb.{size}.current", 0),
                Failcnt = dir.ReadKeyValues($"hugetlb.{size}.events").GetValueOrDefault("max"),
            };
        }
    }
}
