using System.Text;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Storage.Tar;
using Skiff.TestSupport;

namespace Skiff.Tests.Storage;

public sealed class ContainerLayerTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly string _graph;

    public ContainerLayerTests() => _graph = Path.Combine(_box.Root, "layer");

    public void Dispose()
    {
        _box.Dispose();
    }

    [Fact]
    public void Create_and_Remove_manage_upper_work_and_merged()
    {
        var store = new ContainerLayerStore(_graph);
        var paths = store.Create("c0ffee");
        Assert.Equal(Path.Combine(_graph, "containers", "c0ffee", "upper"), paths.Upper);
        Assert.True(Directory.Exists(paths.Upper) && Directory.Exists(paths.Work) && Directory.Exists(paths.Merged));
        Assert.Equal(paths, store.Create("c0ffee"));
        store.Remove("c0ffee");
        Assert.False(Directory.Exists(paths.Dir));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_graph, "containers")));
        Assert.Throws<ArgumentException>(() => store.Create("../x"));
        Assert.Throws<ArgumentException>(() => store.Create(""));
    }

    [Fact]
    public void Overlay_options_list_lower_dirs_top_first_and_refuse_overlong_ones()
    {
        var store = new ContainerLayerStore(_graph);
        string options = store.OverlayMountOptions(["/l/top", "/l/bottom"], "/c/upper", "/c/work");
        string expected = "lowerdir=/l/top:/l/bottom,upperdir=/c/upper,workdir=/c/work" + (OverlayXattr.UsesUserXattr ? ",userxattr" : "");
        Assert.Equal(expected, options);
        var many = Enumerable.Range(0, 100).Select(i => "/var/lib/skiff/layers/" + new string((char)('a' + (i % 6)), 64) + "/diff").ToList();
        var e = Assert.Throws<InvalidOperationException>(() => store.OverlayMountOptions(many, "/u", "/w"));
        Assert.Contains("lowerdir", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => store.OverlayMountOptions(["/a:b"], "/u", "/w"));
        Assert.Throws<ArgumentException>(() => store.OverlayMountOptions([], "/u", "/w"));
    }

    [RootFact]
    public void Overlay_hides_whited_out_files_and_the_lower_content_of_opaque_dirs()
    {
        var images = new ImageStore(_graph);
        byte[] lower = new TarBuilder()
            .File("keep", "kept").File("gone", "should be hidden")
            .Dir("opaque").File("opaque/old", "should be hidden").Dir("plain").File("plain/old", "visible").Bytes();
        byte[] upper = new TarBuilder()
            .File(".wh.gone", "").File("opaque/.wh..wh..opq", "").File("opaque/new", "new").File("plain/new", "new").Bytes();
        var (lowerBlob, lowerDiff) = ImageStoreLayerTests.PutLayerBlob(images, lower, ImageStoreLayerTests.Gzip);
        var (upperBlob, upperDiff) = ImageStoreLayerTests.PutLayerBlob(images, upper, ImageStoreLayerTests.Gzip);
        var upperChain = Digest.Sha256(Encoding.ASCII.GetBytes($"{lowerDiff} {upperDiff}"));
        images.CreateLayer(lowerDiff, lowerDiff, lowerBlob, MediaTypes.OciLayerGzip);
        images.CreateLayer(upperChain, upperDiff, upperBlob, MediaTypes.OciLayerGzip);

        var containers = new ContainerLayerStore(_graph);
        var paths = containers.Create("overlaytest");
        string options = containers.OverlayMountOptions([images.LayerDiffPath(upperChain), images.LayerDiffPath(lowerDiff)], paths.Upper, paths.Work);
        containers.Mount(paths.Merged, options);
        try
        {
            Assert.Equal("kept", File.ReadAllText(Path.Combine(paths.Merged, "keep")));
            Assert.False(File.Exists(Path.Combine(paths.Merged, "gone")));
            Assert.Equal(["new"], Directory.EnumerateFileSystemEntries(Path.Combine(paths.Merged, "opaque")).Select(p => Path.GetFileName(p)!).ToArray());
            Assert.Equal(["new", "old"], Directory.EnumerateFileSystemEntries(Path.Combine(paths.Merged, "plain")).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray());
            File.WriteAllText(Path.Combine(paths.Merged, "written"), "w");
            Assert.True(ContainerLayerStore.IsMountPoint(paths.Merged));
            var e = Assert.Throws<InvalidOperationException>(() => containers.Remove("overlaytest"));
            Assert.Contains("still mounted", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            containers.Unmount(paths.Merged);
        }
        Assert.Equal("w", File.ReadAllText(Path.Combine(paths.Upper, "written")));
        Assert.False(File.Exists(Path.Combine(images.LayerDiffPath(upperChain), "written")));
        Assert.False(ContainerLayerStore.IsMountPoint(paths.Merged));
        containers.Remove("overlaytest");
        Assert.False(Directory.Exists(paths.Dir));
        Assert.True(File.Exists(Path.Combine(images.LayerDiffPath(lowerDiff), "gone")));
    }
}
