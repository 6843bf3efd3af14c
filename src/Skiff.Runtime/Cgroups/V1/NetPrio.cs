using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>v1 net_prio: "interface priority", one write per entry of network.priorities.</summary>
public sealed class NetPrio : IController
{
    public string Name => "net_prio";

    public bool IsSet(LinuxResources r) => r.Network?.Priorities is { Count: > 0 };

    public void Set(CgroupDir dir, LinuxResources r)
    {
        foreach (var p in r.Network?.Priorities ?? []) dir.Write("net_prio.ifpriomap", $"{p.Name} {p.Priority}");
    }

    public void AddStats(CgroupDir dir, CgroupStats stats) { }
}
