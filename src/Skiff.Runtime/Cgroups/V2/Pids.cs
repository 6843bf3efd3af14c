using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>v2 pids: pids.max and pids.current, the same files and values as v1.</summary>
public sealed class Pids : IController
{
    private readonly V1.Pids _same = new();

    public string Name => "pids";

    public bool IsSet(LinuxResources r) => _same.IsSet(r);

    public void Set(CgroupDir dir, LinuxResources r) => _same.Set(dir, r);

    public void AddStats(CgroupDir dir, CgroupStats stats) => _same.AddStats(dir, stats);
}
