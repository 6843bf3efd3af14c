using System.Text;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Storage.Locking;
using Skiff.Storage.Space;

namespace Skiff.Tests.Storage;

/// <summary>A pull's staging area: nothing in the store until Commit, nothing left after a failure, and no lock held while staging.</summary>
public sealed class PullStagingTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly string _graph;

    public PullStagingTests() => _graph = Path.Combine(_box.Root, "layer");

    public void Dispose() => _box.Dispose();

    private static (Digest Blob, Digest DiffId, byte[] Bytes) Layer(string content)
    {
        byte[] tar = new TarBuilder().File("f-" + content, content).Bytes();
        byte[] gz = ImageStoreLayerTests.Gzip(tar);
        return (Digest.Sha256(gz), Digest.Sha256(tar), gz);
    }

    private static ImageRecord Record(Digest config, params Digest[] chainIds) => new()
    {
        Id = config.Hex, Names = ["example.com/staged:latest"], ManifestDigest = config.ToString(), ConfigDigest = config.ToString(),
        Layers = [.. chainIds.Select(c => c.ToString())],
    };

    [Fact]
    public async Task Staged_blobs_and_layers_reach_the_store_only_on_commit()
    {
        var store = new ImageStore(_graph);
        var (blob, diffId, bytes) = Layer("a");
        byte[] config = Encoding.UTF8.GetBytes("{}");
        var configDigest = Digest.Sha256(config);
        using (var staging = store.BeginPull())
        {
            await staging.PutBlobAsync(blob, bytes.Length, new MemoryStream(bytes));
            await staging.PutBlobAsync(configDigest, config);
            staging.PrepareLayer(diffId, diffId, blob, MediaTypes.OciLayerGzip);
            Assert.False(store.HasBlob(blob));
            Assert.False(store.HasLayer(diffId));
            Assert.True(staging.HasBlob(blob));

            // Staging holds no store lock: a removal's exclusive locks are free meanwhile.
            using (var use = FileLock.TryAcquire(Path.Combine(_graph, "use.lock"), exclusive: true)) Assert.NotNull(use);
            using (var storage = FileLock.TryAcquire(store.LockPath, exclusive: true)) Assert.NotNull(storage);

            staging.Commit(Record(configDigest, diffId));
        }
        Assert.True(store.HasBlob(blob));
        Assert.True(store.HasLayer(diffId));
        Assert.Equal("a", File.ReadAllText(Path.Combine(store.LayerDiffPath(diffId), "f-a")));
        Assert.Single(store.ListImages());
        Assert.Equal([], Directory.GetDirectories(Path.Combine(_graph, "blobs", "tmp")));
        Assert.Equal([diffId.Hex], Directory.GetDirectories(Path.Combine(_graph, "layers")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_pull_that_fails_leaves_nothing_behind()
    {
        var store = new ImageStore(_graph);
        var (blob, diffId, bytes) = Layer("b");
        using (var staging = store.BeginPull())
        {
            await staging.PutBlobAsync(blob, bytes.Length, new MemoryStream(bytes));
            staging.PrepareLayer(diffId, diffId, blob, MediaTypes.OciLayerGzip);
            await Assert.ThrowsAsync<DigestMismatchException>(() => staging.PutBlobAsync(Digest.Sha256("x"u8), 1, new MemoryStream("y"u8.ToArray())));
        }
        Assert.Equal([], Directory.GetFiles(Path.Combine(_graph, "blobs"), "*", SearchOption.AllDirectories));
        Assert.Equal([], Directory.GetDirectories(Path.Combine(_graph, "blobs", "tmp")));
        Assert.Equal([], Directory.GetDirectories(Path.Combine(_graph, "layers")));
        Assert.Empty(store.ListImages());
    }

    [Fact]
    public async Task A_layer_removed_since_the_pull_saw_it_fails_the_commit_and_records_nothing()
    {
        var store = new ImageStore(_graph);
        var (blob, diffId, bytes) = Layer("c");
        byte[] config = Encoding.UTF8.GetBytes("{\"c\":1}");
        var configDigest = Digest.Sha256(config);
        using var staging = store.BeginPull();
        await staging.PutBlobAsync(configDigest, config);
        // The image needs layer diffId, which is neither staged nor in the store (an rmi took it).
        Assert.Throws<LayerMissingException>(() => staging.Commit(Record(configDigest, diffId)));
        Assert.Empty(store.ListImages());
        Assert.False(store.HasBlob(configDigest));
    }

    [Fact]
    public async Task A_blob_larger_than_the_free_space_above_the_reserve_is_refused_before_it_is_written()
    {
        long available = Skiff.Interop.Libc.AvailableBytes(_graph);
        Assert.True(available > 0);
        var store = new ImageStore(_graph) { FreeSpaceReserve = 1 << 20 };
        using var staging = store.BeginPull();
        var e = await Assert.ThrowsAsync<StorageFullException>(() =>
            staging.PutBlobAsync(Digest.Sha256("big"u8), available, new MemoryStream("big"u8.ToArray())));
        Assert.Contains("must stay free", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reserve_above_the_free_space_stops_writing_at_the_next_check()
    {
        var guard = new FreeSpaceGuard(_graph, long.MaxValue);
        guard.Wrote(FreeSpaceGuard.CheckInterval - 1, "writing x"); // not yet looked at
        var e = Assert.Throws<StorageFullException>(() => guard.Wrote(1, "writing x"));
        Assert.StartsWith("writing x: stopped with ", e.Message, StringComparison.Ordinal);
        new FreeSpaceGuard(_graph, 0).Wrote(long.MaxValue / 2, "off"); // 0 turns the check off
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4096", 4096L)]
    [InlineData("16m", 16L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("2g", 2L << 30)]
    [InlineData("-1", -1L)]
    [InlineData("lots", -1L)]
    public void Reserve_sizes_parse(string text, long expected) => Assert.Equal(expected, FreeSpaceGuard.ParseSize(text));

    [Theory]
    [InlineData(512L, "512B")]
    [InlineData(16L << 20, "16MiB")]
    [InlineData(3L << 29, "1.5GiB")]
    [InlineData(1L << 40, "1TiB")]
    public void Sizes_are_shown_in_the_units_the_reserve_is_given_in(long bytes, string expected) => Assert.Equal(expected, FreeSpaceGuard.Size(bytes));
}
