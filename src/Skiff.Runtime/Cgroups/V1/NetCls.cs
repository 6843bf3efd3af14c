using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>v1 net_cls: the class id packets of the container carry (network.classID).</summary>
public sealed class NetCls : IController
{
    public string Name => "net_cls";

    public bool IsSet(LinuxResources r) => r.Network?.ClassId is not (null or 0);

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.Network?.ClassId is uint id && id != 0) dir.Write("net_cls.classid", id);
    }

    public void AddStats(CgroupDir dir, CgroupStats stats) { }
}
