using Skiff.Engine;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.Engine.Volumes;
using Skiff.Storage;

namespace Skiff.Tests.Engine.Volumes;

/// <summary>The local driver's store: layout, records, in-use refusal, filters (no container is run here).</summary>
public sealed class VolumeServiceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "skiff-vol-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly VolumeService _volumes;

    public VolumeServiceTests()
    {
        _volumes = new VolumeService(Paths);
    }

    private SkiffPaths Paths => new() { Rootless = false, HostUid = 0, GraphRoot = Path.Combine(_root, "graph"), RunRoot = Path.Combine(_root, "run") };

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Create_makes_podmans_layout_and_record()
    {
        var v = _volumes.Create(new VolumeCreateOptions { Name = "data", Labels = ["a=b", "flag"], Options = ["type=tmpfs", "device=tmpfs", "o=nodev"] });
        Assert.Equal(Path.Combine(Paths.GraphRoot, "volumes", "data", "_data"), v.Mountpoint);
        Assert.True(Directory.Exists(v.Mountpoint));
        var again = _volumes.Get("data");
        Assert.Equal(("local", "b", "", "tmpfs", "nodev", true, true), (again.Driver, again.Labels["a"], again.Labels["flag"], again.Options["type"], again.Options["o"], again.NeedsCopyUp, again.NeedsChown));
        // nothing else left in the volumes directory (no temporary directory)
        Assert.Equal([".lock", "data"], Directory.EnumerateFileSystemEntries(_volumes.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_generated_name_is_64_hex_digits()
    {
        var v = _volumes.Create(new VolumeCreateOptions());
        Assert.Matches("^[0-9a-f]{64}$", v.Name);
    }

    [Fact]
    public void Existing_names_bad_names_drivers_and_options_are_refused_with_podmans_words()
    {
        _volumes.Create(new VolumeCreateOptions { Name = "x" });
        Assert.Equal("volume with name x already exists: volume already exists", Assert.Throws<EngineException>(() => _volumes.Create(new VolumeCreateOptions { Name = "x" })).Message);
        Assert.Equal("x", _volumes.Create(new VolumeCreateOptions { Name = "x", IgnoreIfExists = true }).Name);
        Assert.Equal("running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
            Assert.Throws<EngineException>(() => _volumes.Create(new VolumeCreateOptions { Name = "bad/name" })).Message);
        Assert.Equal("volume options size and inodes not supported. Filesystem does not support Project Quota",
            Assert.Throws<EngineException>(() => _volumes.Create(new VolumeCreateOptions { Name = "q", Options = ["size=1m"] })).Message);
        // podman 4.3: volume create --driver foo x2; -o foo=bar x1
        Assert.Equal("volume x2 uses volume plugin foo but it could not be retrieved: no volume plugin with name foo available: required plugin missing",
            Assert.Throws<EngineException>(() => _volumes.Create(new VolumeCreateOptions { Name = "x2", Driver = "foo" })).Message);
        Assert.Equal("invalid mount option foo for driver 'local': invalid argument",
            Assert.Throws<EngineException>(() => _volumes.Create(new VolumeCreateOptions { Name = "x1", Options = ["foo=bar"] })).Message);
        Assert.False(_volumes.Exists("q"));
        Assert.False(Directory.Exists(Path.Combine(_volumes.Root, "q")));
    }

    [Fact]
    public void A_directory_left_without_a_record_is_replaced_by_the_next_create()
    {
        Directory.CreateDirectory(Path.Combine(_volumes.Root, "orphan", "_data", "stale"));
        var v = _volumes.Create(new VolumeCreateOptions { Name = "orphan" });
        Assert.Empty(Directory.EnumerateFileSystemEntries(v.Mountpoint));
    }

    [Fact]
    public void Remove_refuses_a_volume_a_container_names_and_says_which()
    {
        _volumes.Create(new VolumeCreateOptions { Name = "used" });
        string id = new string('a', 64);
        using (var db = new ContainerDatabase(ContainerDatabase.DefaultPath(Paths)))
            db.Reserve(id, "c1", new ImageRecord { Id = new string('b', 64), Names = ["img"] }, ["true"], r => r.Volumes = ["used"]);

        var e = Assert.Throws<EngineException>(() => _volumes.Remove("used"));
        Assert.Equal(ErrorKind.InUse, e.Kind);
        Assert.Equal($"volume used is being used by the following container(s): {id}: volume is being used", e.Message);
        Assert.True(_volumes.Exists("used"));
        Assert.Empty(_volumes.Prune(VolumeFilter.None));

        using (var db = new ContainerDatabase(ContainerDatabase.DefaultPath(Paths)))
            db.Remove(id);
        _volumes.Remove("used");
        Assert.False(_volumes.Exists("used"));
        Assert.False(Directory.Exists(Path.Combine(_volumes.Root, "used")));
        var missing = Assert.Throws<EngineException>(() => _volumes.Remove("used"));
        Assert.Equal((ErrorKind.NoSuchObject, "no volume with name \"used\" found: no such volume"), (missing.Kind, missing.Message));
    }

    [Fact]
    public void Filters_and_prune()
    {
        _volumes.Create(new VolumeCreateOptions { Name = "keep", Labels = ["k=v"] });
        _volumes.Create(new VolumeCreateOptions { Name = "other" });
        var byLabel = VolumeFilter.Parse(["label=k=v"], VolumeFilter.ListKeys);
        Assert.Equal(["keep"], _volumes.List().Where(v => byLabel.Matches(v, false)).Select(v => v.Name));
        var byName = VolumeFilter.Parse(["name=oth"], VolumeFilter.ListKeys);
        Assert.Equal(["other"], _volumes.List().Where(v => byName.Matches(v, false)).Select(v => v.Name));
        var dangling = VolumeFilter.Parse(["dangling=false"], VolumeFilter.ListKeys);
        Assert.DoesNotContain(_volumes.List(), v => dangling.Matches(v, false));
        Assert.Equal("\"bogus\" is an invalid volume filter", Assert.Throws<EngineException>(() => VolumeFilter.Parse(["bogus=1"], VolumeFilter.ListKeys)).Message);
        Assert.Equal("\"maybe\" is not a valid value for the \"dangling\" filter - must be true or false",
            Assert.Throws<EngineException>(() => VolumeFilter.Parse(["dangling=maybe"], VolumeFilter.ListKeys)).Message);
        Assert.Equal("filter input must be in the form of filter=value: name is invalid",
            Assert.Throws<EngineException>(() => VolumeFilter.Parse(["name"], VolumeFilter.ListKeys)).Message);

        Assert.Equal(["other"], _volumes.Prune(VolumeFilter.Parse(["label!=k"], VolumeFilter.PruneKeys)));
        Assert.Equal(["keep"], _volumes.List().Select(v => v.Name));
    }

    [Fact]
    public void Copy_tree_keeps_links_as_links()
    {
        string from = Path.Combine(_root, "from"), to = Path.Combine(_root, "to");
        Directory.CreateDirectory(Path.Combine(from, "sub"));
        File.WriteAllText(Path.Combine(from, "sub", "f"), "x");
        File.CreateSymbolicLink(Path.Combine(from, "escape"), "/etc");
        Directory.CreateDirectory(to);
        ContainerVolumes.CopyTree(from, to);
        Assert.Equal("x", File.ReadAllText(Path.Combine(to, "sub", "f")));
        Assert.Equal("/etc", new FileInfo(Path.Combine(to, "escape")).LinkTarget);
    }

    [Fact]
    public void Copy_up_follows_an_image_symlink_inside_the_root_never_to_the_host()
    {
        string rootfs = Path.Combine(_root, "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        File.WriteAllText(Path.Combine(rootfs, "etc", "from-image"), "image");
        // the image's /lnk points at /etc: inside the container that is the image's /etc, not the host's
        File.CreateSymbolicLink(Path.Combine(rootfs, "lnk"), "/etc");
        var plan = ContainerVolumes.Plan(MountSpecs.Parse(["copied:/lnk"], [], []));
        uint uid = Skiff.Interop.Libc.OwnerOf(_root);
        var mounts = new ContainerVolumes(_volumes).Prepare(plan, rootfs, new ContainerUser(uid, 0, [], "/"), Path.Combine(_root, "overlays"));

        var v = _volumes.Get("copied");
        Assert.Equal(["from-image"], Directory.EnumerateFileSystemEntries(v.Mountpoint).Select(Path.GetFileName));
        Assert.Equal("image", File.ReadAllText(Path.Combine(v.Mountpoint, "from-image")));
        Assert.False(v.NeedsCopyUp);
        var m = Assert.Single(mounts);
        Assert.Equal(("/lnk", "bind", v.Mountpoint), (m.Destination, m.Type, m.Source));
        Assert.Equal(["rbind", "rprivate", "nosuid", "nodev"], m.Options);

        // copied once: a second container does not copy again
        File.WriteAllText(Path.Combine(rootfs, "etc", "later"), "x");
        new ContainerVolumes(_volumes).Prepare(ContainerVolumes.Plan(MountSpecs.Parse(["copied:/lnk"], [], [])), rootfs, new ContainerUser(uid, 0, [], "/"), Path.Combine(_root, "overlays"));
        Assert.False(File.Exists(Path.Combine(v.Mountpoint, "later")));
    }
}
