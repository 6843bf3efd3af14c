using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Storage;

namespace Skiff.Engine.Lifecycle;

/// <summary>The container's root: its image's layers under its own upper layer, on overlayfs, at .../merged.</summary>
public static class ContainerMounts
{
    /// <summary>
    /// Creates the container's layer when missing and mounts it unless it already is; returns the merged path. With
    /// <paramref name="keepId"/> (at create) the container gets its own copy of the image, owners shifted to its id maps
    /// (a cost of the image's size in time and disk, per container), which later mounts find and use.
    /// </summary>
    public static string Mount(SkiffPaths paths, ImageService images, string id, ImageRecord image, KeepIdMaps? keepId = null)
    {
        var layers = new ContainerLayerStore(paths.GraphRoot);
        var layer = layers.Create(id);
        if (ContainerLayerStore.IsMountPoint(layer.Merged)) return layer.Merged;
        var lowerTopFirst = image.Layers.AsEnumerable().Reverse().Select(l => images.Store.LayerDiffPath(Oci.Digest.Parse(l))).ToList();
        if (keepId is not null)
            layers.MapImage(layer, lowerTopFirst, u => KeepIdMaps.Outside(keepId.Uids, u), g => KeepIdMaps.Outside(keepId.Gids, g));
        string mapped = Path.Combine(layer.Dir, "mapped");
        if (Directory.Exists(mapped)) lowerTopFirst = [mapped];
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
        var layer = layers.PathsOf(id);
        if (ContainerLayerStore.IsMountPoint(layer.Merged)) layers.Unmount(layer.Merged);
        // The image's read-only mount that keep-id's copy is made from, left by a create killed while copying.
        string image = Path.Combine(layer.Dir, "image");
        if (Directory.Exists(image) && ContainerLayerStore.IsMountPoint(image)) layers.Unmount(image);
    }
}
