using System.IO.Compression;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Storage.Locking;

namespace Skiff.Tests.Storage;

public sealed class ImageStoreLayerTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly string _graph;

    public ImageStoreLayerTests() => _graph = Path.Combine(_box.Root, "layer");

    public void Dispose() => _box.Dispose();

    internal static byte[] Gzip(byte[] tar)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(tar);
        return ms.ToArray();
    }

    internal static byte[] Zstd(byte[] tar)
    {
        var ms = new MemoryStream();
        using (var z = new ZstdSharp.CompressionStream(ms, leaveOpen: true)) z.Write(tar);
        return ms.ToArray();
    }

    /// <summary>Stores <paramref name="tar"/> compressed as asked and returns (blob, diffId).</summary>
    internal static (Digest Blob, Digest DiffId) PutLayerBlob(ImageStore store, byte[] tar, Func<byte[], byte[]> compress)
    {
        byte[] blob = compress(tar);
        var digest = Digest.Sha256(blob);
        store.PutBlobAsync(digest, blob.Length, new MemoryStream(blob)).GetAwaiter().GetResult();
        return (digest, Digest.Sha256(tar));
    }

    [Theory]
    [InlineData("gzip", MediaTypes.OciLayerGzip)]
    [InlineData("zstd", MediaTypes.OciLayerZstd)]
    [InlineData("none", MediaTypes.OciLayer)]
    [InlineData("gzip", MediaTypes.DockerLayerGzip)]
    public void A_layer_is_unpacked_from_its_blob(string compression, string mediaType)
    {
        var store = new ImageStore(_graph);
        byte[] tar = new TarBuilder().Dir("etc").File("etc/os-release", "ID=skiff\n").Bytes();
        var (blob, diffId) = PutLayerBlob(store, tar, compression switch { "gzip" => Gzip, "zstd" => Zstd, _ => t => t });
        var chainId = diffId;

        Assert.False(store.HasLayer(chainId));
        store.CreateLayer(chainId, diffId, blob, mediaType);
        Assert.True(store.HasLayer(chainId));
        Assert.Equal(Path.Combine(_graph, "layers", chainId.Hex, "diff"), store.LayerDiffPath(chainId));
        Assert.Equal("ID=skiff\n", File.ReadAllText(Path.Combine(store.LayerDiffPath(chainId), "etc/os-release")));
        var info = store.GetLayer(chainId)!;
        Assert.Equal(tar.Length, info.Size);
        Assert.Equal(blob.ToString(), info.Blob);
        store.CreateLayer(chainId, diffId, blob, mediaType); // idempotent
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(_graph, "layers")));
    }

    [Fact]
    public void A_diffId_mismatch_names_the_diffId_and_leaves_no_layer()
    {
        var store = new ImageStore(_graph);
        byte[] tar = new TarBuilder().File("f", "content").Bytes();
        var (blob, _) = PutLayerBlob(store, tar, Gzip);
        var wrongDiffId = Digest.Sha256("another tar"u8);
        var e = Assert.Throws<DigestMismatchException>(() => store.CreateLayer(wrongDiffId, wrongDiffId, blob, MediaTypes.OciLayerGzip));
        Assert.Contains(wrongDiffId.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("diffId mismatch", e.Message, StringComparison.Ordinal);
        Assert.False(store.HasLayer(wrongDiffId));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_graph, "layers")));
    }

    [Fact]
    public void A_refused_tar_leaves_no_layer_and_nothing_outside()
    {
        var store = new ImageStore(_graph);
        byte[] tar = new TarBuilder().Symlink("a", _box.Sentinel).File("a/evil", "evil").Bytes();
        var (blob, diffId) = PutLayerBlob(store, tar, Gzip);
        Assert.Throws<Skiff.Storage.Tar.LayerUnpackException>(() => store.CreateLayer(diffId, diffId, blob, MediaTypes.OciLayerGzip));
        Assert.False(store.HasLayer(diffId));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_graph, "layers")));
    }

    [Fact]
    public void A_gzip_bomb_is_stopped_by_the_size_limit()
    {
        var store = new ImageStore(_graph);
        store.UnpackOptions.MaxTotalBytes = 1 << 20;
        store.UnpackOptions.MaxEntries = 10;
        byte[] tar = new TarBuilder().File("f", "x").Bytes().Concat(new byte[8 << 20]).ToArray();
        var (blob, diffId) = PutLayerBlob(store, tar, Gzip);
        var e = Assert.Throws<InvalidDataException>(() => store.CreateLayer(diffId, diffId, blob, MediaTypes.OciLayerGzip));
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);
        Assert.False(store.HasLayer(diffId));
    }

    [Fact]
    public void A_leftover_tmp_layer_from_a_killed_process_is_removed_on_open_but_a_live_one_is_kept()
    {
        string layers = Path.Combine(_graph, "layers");
        string dead = Path.Combine(layers, "tmp-dead");
        string live = Path.Combine(layers, "tmp-live");
        Directory.CreateDirectory(Path.Combine(dead, "diff", "usr"));
        File.WriteAllText(Path.Combine(dead, "diff", "usr", "half"), "half a layer");
        Directory.CreateDirectory(Path.Combine(live, "diff"));
        using var liveLock = FileLock.AcquireExclusive(live);

        var store = new ImageStore(_graph);
        Assert.Empty(store.ListImages());
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(live));
        Assert.False(store.HasLayer(Digest.Parse("sha256:" + new string('d', 64))));
    }

    [Fact]
    public void A_tmp_layer_whose_writer_was_killed_is_swept_by_the_next_open()
    {
        string layers = Path.Combine(_graph, "layers");
        string tmp = Path.Combine(layers, "tmp-writer");
        Directory.CreateDirectory(Path.Combine(tmp, "diff"));
        File.WriteAllText(Path.Combine(tmp, "diff", "partial"), "x");
        using var writer = System.Diagnostics.Process.Start("flock", ["--exclusive", "--close", tmp, "sleep", "600"]);
        while (FileLock.TryAcquire(tmp, exclusive: true) is { } notYet) { notYet.Dispose(); Thread.Sleep(10); }

        new ImageStore(_graph).ListImages();
        Assert.True(Directory.Exists(tmp)); // the writer lives: its work is not touched

        writer.Kill(entireProcessTree: true); // with --close only flock(1) itself holds the lock, reaped below
        writer.WaitForExit();
        new ImageStore(_graph).ListImages();
        Assert.False(Directory.Exists(tmp));
    }

    [Fact]
    public void Two_stores_creating_the_same_layer_at_once_end_with_one_complete_layer()
    {
        byte[] tar = new TarBuilder().Dir("d").File("d/f", new string('z', 100_000)).Bytes();
        var setup = new ImageStore(_graph);
        var (blob, diffId) = PutLayerBlob(setup, tar, Gzip);
        Parallel.For(0, 4, _ => new ImageStore(_graph).CreateLayer(diffId, diffId, blob, MediaTypes.OciLayerGzip));
        Assert.True(setup.HasLayer(diffId));
        Assert.Equal([diffId.Hex], Directory.EnumerateFileSystemEntries(Path.Combine(_graph, "layers")).Select(p => Path.GetFileName(p)!).ToArray());
        Assert.Equal(100_000, new FileInfo(Path.Combine(setup.LayerDiffPath(diffId), "d", "f")).Length);
    }
}
