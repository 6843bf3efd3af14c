using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>v1 hugetlb: hugetlb.SIZE.limit_in_bytes per page size ("2MB", "1GB").</summary>
public sealed class Hugetlb : IController
{
    public string Name => "hugetlb";

    public bool IsSet(LinuxResources r) => r.HugepageLimits is { Count: > 0 };

    public void Set(CgroupDir dir, LinuxResources r)
    {
        foreach (var l in r.HugepageLimits ?? [])
        {
            string file = $"hugetlb.{l.PageSize}.limit_in_bytes";
            if (!dir.Has(file)) throw new RuntimeException($"hugepageLimits: page size \"{l.PageSize}\" is not supported by this kernel (no {file})");
            dir.Write(file, l.Limit);
        }
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        foreach (string size in PageSizes(dir, ".limit_in_bytes"))
        {
            stats.Hugetlb[size] = new HugetlbStats
            {
                Usage = dir.ReadUIntOr($"hugetlb.{size}.usage_in_bytes", 0),
                Max = dir.ReadUIntOr($"hugetlb.{size}.max_usage_in_bytes", 0),
                Failcnt = dir.ReadUIntOr($"hugetlb.{size}.failcnt", 0),
            };
        }
    }

    /// <summary>The page sizes the kernel offers here, from the hugetlb.SIZE.SUFFIX files.</summary>
    public static IEnumerable<string> PageSizes(CgroupDir dir, string suffix)
    {
        string[] files;
        try { files = Directory.GetFiles(dir.Path, "hugetlb.*" + suffix); }
        catch (DirectoryNotFoundException) { return []; }
        return files.Select(Path.GetFileName).Select(f => f!["hugetlb.".Length..^suffix.Length]).Where(s => !s.Contains('.', StringComparison.Ordinal)).Order(StringComparer.Ordinal);
    }
}
