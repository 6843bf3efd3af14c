using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// Idmapped mounts ("idmap", "ridmap"): a detached copy of the source (open_tree OPEN_TREE_CLONE) with
/// MOUNT_ATTR_IDMAP and a user namespace whose maps are the mount's uidMappings/gidMappings, then attached
/// at the destination. The kernel allows the id mapping only to a process privileged over the source's
/// filesystem, so for a container with a user namespace `create` prepares them (<see cref="Prepare"/>) and
/// hands the descriptors to the init (<see cref="RootfsRequest.PreparedMounts"/>); otherwise the init makes
/// them itself.
/// </summary>
public static class IdmappedMounts
{
    /// <summary>The idmapped trees of every idmap/ridmap mount of the config, by index in config.mounts (the caller disposes them).</summary>
    public static Dictionary<int, Node> Prepare(IMountKernel kernel, Spec spec, string bundle)
    {
        var prepared = new Dictionary<int, Node>();
        var mounts = spec.Mounts ?? [];
        try
        {
            for (int i = 0; i < mounts.Count; i++)
            {
                var m = mounts[i];
                var o = MountOptions.Parse(m.Options);
                if (!o.Idmap) continue;
                string dest = m.Destination;
                if (string.IsNullOrEmpty(m.Source)) throw new RuntimeException($"bind mount on {dest} has no source");
                string source = Path.IsPathRooted(m.Source) ? m.Source : Path.Combine(bundle, m.Source);
                using var node = kernel.Open(source) ?? throw new RuntimeException($"bind mount source {source} does not exist");
                prepared[i] = Make(kernel, m, dest, node, o);
            }
            return prepared;
        }
        catch
        {
            foreach (var n in prepared.Values) n.Dispose();
            throw;
        }
    }

    /// <summary>A tree `create` made, received by the init as a descriptor.</summary>
    public static Node FromDescriptor(SafeFd fd, string destination) =>
        new(destination, InRootResolver.KindOf(fd.Fd), fd);

    internal static Node Make(IMountKernel kernel, Mount m, string dest, Node source, MountOptions o)
    {
        if (m.UidMappings is not { Count: > 0 } || m.GidMappings is not { Count: > 0 })
            throw new RuntimeException($"mount on {dest}: idmap needs the mount's uidMappings and gidMappings");
        using var userns = kernel.UserNamespace(m.UidMappings, m.GidMappings);
        var tree = kernel.CloneTree(source, o.Recursive || o.RecursiveIdmap);
        try
        {
            kernel.SetIdmap(tree, userns, o.RecursiveIdmap);
            return tree;
        }
        catch
        {
            tree.Dispose();
            throw;
        }
    }
}
