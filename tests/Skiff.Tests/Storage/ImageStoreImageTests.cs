using System.Text;
using System.Text.Json;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Storage.Images;

namespace Skiff.Tests.Storage;

public sealed class ImageStoreImageTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly string _graph;

    public ImageStoreImageTests() => _graph = Path.Combine(_box.Root, "layer");

    public void Dispose() => _box.Dispose();

    /// <summary>Stores a one-or-more-layer image the way the images part will: blobs, layers, then the record.</summary>
    private static ImageRecord StoreImage(ImageStore store, string name, params string[] fileContents)
    {
        var manifest = new ImageManifest { SchemaVersion = 2, MediaType = MediaTypes.OciManifest };
        var layers = new List<string>();
        Digest? parent = null;
        foreach (string content in fileContents)
        {
            byte[] tar = new TarBuilder().File("f-" + content, content).Bytes();
            var (blob, diffId) = ImageStoreLayerTests.PutLayerBlob(store, tar, ImageStoreLayerTests.Gzip);
            var chainId = parent is null ? diffId : Digest.Sha256(Encoding.ASCII.GetBytes($"{parent} {diffId}"));
            store.CreateLayer(chainId, diffId, blob, MediaTypes.OciLayerGzip);
            manifest.Layers.Add(new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = blob.ToString() });
            layers.Add(chainId.ToString());
            parent = chainId;
        }
        byte[] config = Encoding.UTF8.GetBytes($"{{\"config-of\":\"{name}\",\"layers\":\"{string.Join(',', fileContents)}\"}}");
        var configDigest = Digest.Sha256(config);
        store.PutBlobAsync(configDigest, config.Length, new MemoryStream(config)).GetAwaiter().GetResult();
        manifest.Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = config.Length };
        byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest);
        var manifestDigest = Digest.Sha256(manifestBytes);
        store.PutBlobAsync(manifestDigest, manifestBytes.Length, new MemoryStream(manifestBytes)).GetAwaiter().GetResult();
        var record = new ImageRecord
        {
            Id = configDigest.Hex, Names = [name], ManifestDigest = manifestDigest.ToString(), ConfigDigest = configDigest.ToString(),
            Layers = layers, Created = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
        };
        store.AddImage(record);
        return record;
    }

    [Fact]
    public void Images_round_trip_through_images_json()
    {
        var store = new ImageStore(_graph);
        var added = StoreImage(store, "127.0.0.1:5000/library/busybox:latest", "a", "b");
        var reopened = new ImageStore(_graph);
        var image = Assert.Single(reopened.ListImages());
        Assert.Equal(added.Id, image.Id);
        Assert.Equal(["127.0.0.1:5000/library/busybox:latest"], image.Names);
        Assert.Equal(added.Layers, image.Layers);
        Assert.Equal(added.ManifestDigest, image.ManifestDigest);
        Assert.Equal(added.ConfigDigest, image.ConfigDigest);
        Assert.Equal(added.Created, image.Created);
        long expectedSize = image.Layers.Sum(l => reopened.GetLayer(Digest.Parse(l))!.Size);
        Assert.True(expectedSize > 0);
        Assert.Equal(expectedSize, image.Size);
    }

    [Fact]
    public void AddImage_refuses_an_image_whose_layers_are_missing()
    {
        var store = new ImageStore(_graph);
        var record = new ImageRecord { Id = new string('a', 64), Names = ["x:latest"], Layers = ["sha256:" + new string('b', 64)] };
        var e = Assert.Throws<InvalidOperationException>(() => store.AddImage(record));
        Assert.Contains(new string('b', 64), e.Message, StringComparison.Ordinal);
        Assert.Empty(store.ListImages());
    }

    [Fact]
    public void FindImage_follows_podman_rules()
    {
        var store = new ImageStore(_graph);
        var busybox = StoreImage(store, "127.0.0.1:5000/library/busybox:latest", "a");
        var local = StoreImage(store, "localhost/mine:1.0", "b");
        var localLatest = StoreImage(store, "localhost/other:latest", "c");

        Assert.Equal(busybox.Id, store.FindImage("127.0.0.1:5000/library/busybox:latest")?.Id);
        Assert.Equal(busybox.Id, store.FindImage("127.0.0.1:5000/library/busybox")?.Id);
        Assert.Equal(local.Id, store.FindImage("mine:1.0")?.Id);
        Assert.Equal(localLatest.Id, store.FindImage("other")?.Id);
        Assert.Null(store.FindImage("mine")); // mine:latest does not exist
        Assert.Equal(busybox.Id, store.FindImage(busybox.Id)?.Id);
        Assert.Equal(busybox.Id, store.FindImage("sha256:" + busybox.Id)?.Id);
        Assert.Equal(busybox.Id, store.FindImage(busybox.Id[..12])?.Id);
        Assert.Null(store.FindImage(busybox.Id[..2]));
        Assert.Null(store.FindImage("nothing:latest"));
        Assert.Equal(busybox.Id, store.FindImage("127.0.0.1:5000/library/busybox@" + busybox.ManifestDigest)?.Id);
        Assert.Equal(local.Id, store.FindImage("mine@" + local.ManifestDigest)?.Id);
        Assert.Null(store.FindImage("127.0.0.1:5000/library/busybox@" + local.ManifestDigest));
    }

    [Fact]
    public void An_ambiguous_id_prefix_is_an_error_naming_it()
    {
        string a = "abc1" + new string('0', 60), b = "abc2" + new string('0', 60);
        string c = "abd" + new string('0', 61);
        var images = new List<ImageRecord> { new() { Id = a }, new() { Id = b }, new() { Id = c } };
        Assert.Equal(c, ImageLookup.Find(images, "abd")?.Id);
        Assert.Null(ImageLookup.Find(images, "ab"));
        var e = Assert.Throws<AmbiguousImageException>(() => ImageLookup.Find(images, "abc"));
        Assert.Contains("abc", e.Message, StringComparison.Ordinal);
        Assert.Equal(a, ImageLookup.Find(images, "abc1")?.Id);
        Assert.Equal(b, ImageLookup.Find(images, "sha256:abc2")?.Id);
    }

    [Fact]
    public void A_name_moves_to_the_new_image_and_the_old_one_stays_dangling()
    {
        var store = new ImageStore(_graph);
        var old = StoreImage(store, "127.0.0.1:5000/app:latest", "v1");
        var @new = StoreImage(store, "127.0.0.1:5000/app:latest", "v2");
        var images = store.ListImages();
        Assert.Equal(2, images.Count);
        Assert.Empty(images.Single(i => i.Id == old.Id).Names);
        Assert.Equal(["127.0.0.1:5000/app:latest"], images.Single(i => i.Id == @new.Id).Names);
        Assert.Equal(@new.Id, store.FindImage("127.0.0.1:5000/app")?.Id);

        // Re-adding an image with another name keeps its earlier names.
        @new.Names = ["127.0.0.1:5000/app:v2"];
        store.AddImage(@new);
        Assert.Equal(["127.0.0.1:5000/app:v2", "127.0.0.1:5000/app:latest"], store.FindImage(@new.Id)!.Names);
    }

    [Fact]
    public void RemoveImage_collects_the_layers_and_blobs_no_other_image_uses()
    {
        var store = new ImageStore(_graph);
        var first = StoreImage(store, "r/one:latest", "shared", "only-one");
        var second = StoreImage(store, "r/two:latest", "shared", "only-two");
        Assert.Equal(first.Layers[0], second.Layers[0]);
        string onlyOneBlob = store.GetLayer(Digest.Parse(first.Layers[1]))!.Blob;
        string sharedBlob = store.GetLayer(Digest.Parse(first.Layers[0]))!.Blob;

        store.RemoveImage(first.Id);

        Assert.Null(store.FindImage(first.Id));
        Assert.True(store.HasLayer(Digest.Parse(first.Layers[0])));
        Assert.False(store.HasLayer(Digest.Parse(first.Layers[1])));
        Assert.True(store.HasLayer(Digest.Parse(second.Layers[1])));
        Assert.False(store.HasBlob(Digest.Parse(onlyOneBlob)));
        Assert.False(store.HasBlob(Digest.Parse(first.ManifestDigest)));
        Assert.False(store.HasBlob(Digest.Parse(first.ConfigDigest)));
        Assert.True(store.HasBlob(Digest.Parse(sharedBlob)));
        Assert.True(store.HasBlob(Digest.Parse(second.ManifestDigest)));
        Assert.Equal(2, Directory.EnumerateDirectories(Path.Combine(_graph, "layers")).Count());

        store.RemoveImage(second.Id);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_graph, "layers")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_graph, "blobs", "sha256")));
        Assert.Throws<ImageNotFoundException>(() => store.RemoveImage(second.Id));
    }
}
