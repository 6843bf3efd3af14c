using System.Text;
using Skiff.Oci;
using Skiff.Storage;

namespace Skiff.Tests.Storage;

public sealed class ImageStoreBlobTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly ImageStore _store;

    public ImageStoreBlobTests() => _store = new ImageStore(Path.Combine(_box.Root, "layer"));

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task A_blob_is_stored_under_its_digest_and_read_back()
    {
        byte[] data = Encoding.UTF8.GetBytes("{\"schemaVersion\":2}");
        var digest = Digest.Sha256(data);
        Assert.False(_store.HasBlob(digest));
        await _store.PutBlobAsync(digest, data.Length, new MemoryStream(data));
        Assert.True(_store.HasBlob(digest));
        Assert.Equal(Path.Combine(_store.GraphRoot, "blobs", "sha256", digest.Hex), _store.BlobPath(digest));
        Assert.Equal(data, _store.ReadBlob(digest));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.GraphRoot, "blobs", "tmp")));
    }

    [Fact]
    public async Task A_digest_mismatch_names_the_expected_digest_and_stores_nothing()
    {
        var expected = Digest.Sha256("what was asked"u8);
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => _store.PutBlobAsync(expected, -1, new MemoryStream("what came"u8.ToArray())));
        Assert.Equal($"blob {expected}: digest mismatch: got {Digest.Sha256("what came"u8)}", e.Message);
        Assert.False(_store.HasBlob(expected));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.GraphRoot, "blobs", "tmp")));
    }

    [Fact]
    public async Task A_blob_larger_or_smaller_than_announced_is_refused()
    {
        byte[] data = new byte[1000];
        var digest = Digest.Sha256(data);
        var big = await Assert.ThrowsAsync<DigestMismatchException>(() => _store.PutBlobAsync(digest, 999, new MemoryStream(data)));
        Assert.Contains(digest.ToString(), big.Message, StringComparison.Ordinal);
        var small = await Assert.ThrowsAsync<DigestMismatchException>(() => _store.PutBlobAsync(digest, 1001, new MemoryStream(data)));
        Assert.Contains("size mismatch", small.Message, StringComparison.Ordinal);
        Assert.False(_store.HasBlob(digest));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.GraphRoot, "blobs", "tmp")));
    }

    [Fact]
    public async Task ReadBlob_verifies_content_and_caps_size()
    {
        byte[] data = "config"u8.ToArray();
        var digest = Digest.Sha256(data);
        await _store.PutBlobAsync(digest, data.Length, new MemoryStream(data));
        File.WriteAllText(_store.BlobPath(digest), "tampered");
        Assert.Throws<DigestMismatchException>(() => _store.ReadBlob(digest));

        byte[] huge = new byte[ImageStore.MaxSmallBlobSize + 1];
        var hugeDigest = Digest.Sha256(huge);
        await _store.PutBlobAsync(hugeDigest, huge.Length, new MemoryStream(huge));
        Assert.Throws<InvalidDataException>(() => _store.ReadBlob(hugeDigest));
        Assert.Throws<FileNotFoundException>(() => _store.ReadBlob(Digest.Sha256("absent"u8)));
    }
}
