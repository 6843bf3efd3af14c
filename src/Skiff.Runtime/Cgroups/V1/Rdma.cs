using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>v1 rdma: rdma.max, one "DEVICE hca_handle=N hca_object=N" line per device.</summary>
public sealed class Rdma : IController
{
    public string Name => "rdma";

    public bool IsSet(LinuxResources r) => r.Rdma is { Count: > 0 };

    public void Set(CgroupDir dir, LinuxResources r) => SetMax(dir, r);

    /// <summary>The same file and format on v1 and v2.</summary>
    public static void SetMax(CgroupDir dir, LinuxResources r)
    {
        foreach (var (device, limit) in r.Rdma ?? [])
        {
            string line = device;
            if (limit.HcaHandles is uint h) line += $" hca_handle={h}";
            if (limit.HcaObjects is uint o) line += $" hca_object={o}";
            dir.Write("rdma.max", line);
        }
    }

    public void AddStats(CgroupDir dir, CgroupStats stats) { }
}
