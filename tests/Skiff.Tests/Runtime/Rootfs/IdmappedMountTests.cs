using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Rootfs;
using Skiff.TestSupport;

namespace Skiff.Tests.Runtime.Rootfs;

/// <summary>
/// What `create` does for an idmapped mount of a container with a user namespace (the init, inside it, may
/// not map a host filesystem): a detached copy of the source, with the mount's maps. Nothing is attached
/// anywhere, so the host's mount table does not change; the files are looked at through the copy.
/// </summary>
public sealed class IdmappedMountTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-idmap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RootFact]
    public void CreatePreparesADetachedCopyShowingTheMappedOwners()
    {
        string src = Path.Combine(_dir, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "file"), "x");
        Assert.Equal(0, Libc.Chown(Path.Combine(src, "file"), 100000, 100001));
        var spec = new Spec
        {
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount
                {
                    Destination = "/data", Type = "bind", Source = "src", Options = ["rbind", "idmap"],
                    UidMappings = [new IdMapping { ContainerId = 100000, HostId = 0, Size = 65536 }],
                    GidMappings = [new IdMapping { ContainerId = 100000, HostId = 0, Size = 65536 }],
                },
            ],
        };
        var prepared = IdmappedMounts.Prepare(new LinuxMountKernel(), spec, _dir);
        try
        {
            var tree = Assert.Single(prepared);
            Assert.Equal(1, tree.Key);
            Assert.Equal(0, Libc.Statx(tree.Value.Fd!.Fd, "file", Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out var st));
            Assert.Equal((0u, 1u), (st.Uid, st.Gid)); // 100000 on disk shows as 0, 100001 as 1
            using var received = IdmappedMounts.FromDescriptor(new SafeFd(Libc.Dup(tree.Value.Fd.Fd)), "/data"); // as the init gets it
            Assert.Equal(NodeKind.Directory, received.Kind);
        }
        finally
        {
            foreach (var n in prepared.Values) n.Dispose();
        }
        Assert.Equal(0, Libc.Statx(Libc.AT_FDCWD, Path.Combine(src, "file"), 0, Libc.STATX_BASIC_STATS, out var host));
        Assert.Equal(100000u, host.Uid); // the file itself is unchanged
    }
}
