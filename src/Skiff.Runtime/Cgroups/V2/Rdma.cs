using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>v2 rdma: rdma.max, the same lines as v1.</summary>
public sealed class Rdma : IController
{
    public string Name => "rdma";

    public bool IsSet(LinuxResources r) => r.Rdma is { Count: > 0 };

    public void Set(CgroupDir dir, LinuxResources r) => V1.Rdma.SetMax(dir, r);

    public void AddStats(CgroupDir dir, CgroupStats stats) { }
}
