using Skiff.Engine.Configuration;
using Skiff.Engine.Runtime;
using Skiff.Storage;

namespace Skiff.Engine.Containers;

/// <summary>`rm`: a stopped container's record, overlay layer and bundle go; a running one only with force.</summary>
public sealed class ContainerRemover(SkiffPaths paths)
{
    /// <summary>Removes the container and returns its full id.</summary>
    public string Remove(ContainerRecord container, bool force)
    {
        bool alive = container.State == "running" && container.Pid is int pid && Directory.Exists($"/proc/{pid}");
        if (alive && !force)
            throw new EngineException($"cannot remove container {container.Id} as it is running - running or paused containers cannot be removed without force: container state improper", 2);
        if (alive && container.Runtime is { } runtimePath)
        {
            var runtime = OciRuntime.At(runtimePath, paths.RunRoot);
            runtime.Delete(container.Id, force: true);
        }
        var layers = new ContainerLayerStore(paths.GraphRoot);
        string merged = layers.PathsOf(container.Id).Merged;
        if (ContainerLayerStore.IsMountPoint(merged)) layers.Unmount(merged);
        layers.Remove(container.Id);
        string bundle = Path.Combine(paths.BundlesRoot, container.Id);
        if (Directory.Exists(bundle)) Directory.Delete(bundle, recursive: true);
        new ContainerStore(paths).Remove(container.Id);
        return container.Id;
    }
}
