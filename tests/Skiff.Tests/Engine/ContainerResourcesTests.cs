using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Tests.Engine;

/// <summary>The resources podman 4.3 writes for the same flags (its config.json for --memory 64m --pids-limit 33 --cpus 1.5).</summary>
public class ContainerResourcesTests
{
    [Fact]
    public void PodmansMemoryPidsAndCpus()
    {
        var r = ContainerResources.From(memoryBytes: 64 << 20, cpus: 1.5, pidsLimit: 33);
        Assert.Equal("""{"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":67108864,"swap":134217728},"cpu":{"quota":150000,"period":100000},"pids":{"limit":33}}""",
            System.Text.Json.JsonSerializer.Serialize(r, Skiff.Oci.Runtime.RuntimeJsonContext.Default.LinuxResources).Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public void SwapFlags()
    {
        Assert.Equal(-1, ContainerResources.From(memoryBytes: 100, memorySwapBytes: -1).Memory!.Swap);
        Assert.Equal(300, ContainerResources.From(memoryBytes: 100, memorySwapBytes: 300).Memory!.Swap);
        Assert.Throws<EngineException>(() => ContainerResources.From(memoryBytes: 100, memorySwapBytes: 50));
        Assert.Throws<EngineException>(() => ContainerResources.From(memorySwapBytes: 50));
    }

    [Fact]
    public void NoFlagsDenyDevicesOnly()
    {
        var r = ContainerResources.From();
        Assert.Single(r.Devices!);
        Assert.Null(r.Memory);
        Assert.Null(r.Cpu);
        Assert.Null(r.Pids);
    }

    [Fact]
    public void CgroupsPathLikePodmans()
    {
        Assert.Equal("/skiff_parent/skiff-abc", ContainerResources.CgroupsPath("abc", rootless: false));
        Assert.Equal("", ContainerResources.CgroupsPath("abc", rootless: true));
    }
}
