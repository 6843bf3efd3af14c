using Skiff.Engine.Configuration;
using Skiff.Engine.Images;
using Skiff.Storage;

namespace Skiff.Engine.Lifecycle;

/// <summary>The container's root: its image's layers under its own upper layer, on overlayfs, at .../merged.</summary>
public static class ContainerMounts
{
    /// <summary>Creates the container's layer when missing and mounts it unless it already is; returns the merged path.</summary>
    public static string Mount(SkiffPaths paths, ImageService images, string id, ImageRecord image)
    {
        var layers = new ContainerLayerStore(paths.GraphRoot);
        var layer = layers.Create(id);
        if (ContainerLayerStore.IsMountPoint(layer.Merged)) return layer.Merged;
        var lowerTopFirst = image.Layers.AsEnumerable().Reverse().Select(l => images.Store.LayerDiffPath(Oci.Digest.Parse(l))).ToList();
        layers.Mount(layer.Merged, layers.OverlayMountOptions(lowerTopFirst, layer.Upper, layer.Work));
        return layer.Merged;
    }

    /// <summary>Mounts a created container's root again (after its cleanup or a reboot); its image must still be there.</summary>
    public static string Remount(SkiffPaths paths, ImageService images, string id, string imageId)
    {
        var image = images.Store.FindImage(imageId)
            ?? throw new EngineException($"the image {imageId[..Math.Min(12, imageId.Length)]} of container {id[..12]} is gone: remove the container");
        return Mount(paths, images, id, image);
    }

    /// <summary>Unmounts the container's root when mounted (lazily: a process still inside keeps it alive, not us).</summary>
    public static void Unmount(SkiffPaths paths, string id)
    {
        var layers = new ContainerLayerStore(paths.GraphRoot);
        string merged = layers.PathsOf(id).Merged;
        if (ContainerLayerStore.IsMountPoint(merged)) layers.Unmount(merged);
    }
}
