using System.Text.Json;
using Skiff.Oci;
using Skiff.Storage.Blobs;
using Skiff.Storage.Layers;
using Skiff.Storage.Locking;
using Skiff.Storage.Space;
using Skiff.Storage.Tar;

namespace Skiff.Storage;

public sealed partial class ImageStore
{
    /// <summary>Limits applied to every layer tar this store unpacks.</summary>
    public UnpackOptions UnpackOptions { get; set; } = new();

    private string LayersDir => Path.Combine(GraphRoot, "layers");

    private string LayerDir(Digest chainId)
    {
        if (chainId.IsDefault) throw new ArgumentException("empty chain id", nameof(chainId));
        return Path.Combine(LayersDir, chainId.Hex);
    }

    private bool HasLayerCore(Digest chainId) => File.Exists(Path.Combine(LayerDir(chainId), "layer.json"));

    /// <summary>The layer's metadata, or null when the layer is not in the store.</summary>
    public LayerInfo? GetLayer(Digest chainId)
    {
        string path = Path.Combine(LayerDir(chainId), "layer.json");
        if (!File.Exists(path)) return null;
        return JsonSerializer.Deserialize(File.ReadAllBytes(path), StorageJsonContext.Default.LayerInfo);
    }

    private void CreateLayerCore(Digest chainId, Digest diffId, Digest blob, string mediaType)
    {
        EnsureOpen();
        if (HasLayerCore(chainId)) return;
        using var tmp = UnpackLayer(diffId, chainId, blob, BlobPathCore(blob), mediaType, SpaceGuard());
        using (FileLock.AcquireExclusive(LockPath))
        {
            CommitLayerLocked(chainId, tmp);
            AtomicFile.FsyncDirectory(LayersDir);
        }
    }

    /// <summary>Unpacks blob <paramref name="blob"/> (the file <paramref name="blobPath"/>) into a new private
    /// layers/tmp-* directory, with its layer.json, under no store lock; the caller renames it into place.</summary>
    private LockedTempDir UnpackLayer(Digest diffId, Digest chainId, Digest blob, string blobPath, string mediaType, FreeSpaceGuard space)
    {
        var opts = UnpackOptions;
        var tmp = LockedTempDir.Create(LayersDir);
        try
        {
            string diff = Path.Combine(tmp.Path, "diff");
            Directory.CreateDirectory(diff);

            UnpackResult result;
            long size;
            using (var hash = DigestHasher.Create(diffId.Algorithm))
            {
                var file = OpenBlob(blob, blobPath);
                using var tar = Decompression.Open(file, mediaType);
                long limit = opts.MaxTotalBytes + (long)opts.MaxEntries * 2048 + (1 << 20);
                using var hashing = new HashingReadStream(tar, hash, limit, $"layer blob {blob}", space);
                result = LayerUnpacker.Apply(hashing, diff, opts);
                hashing.Drain();
                size = hashing.BytesRead;
                string actual = DigestHasher.Finish(hash, diffId.Algorithm);
                if (actual != diffId.ToString())
                    throw new DigestMismatchException($"layer {diffId}: diffId mismatch: uncompressed blob {blob} is {actual}");
            }

            var info = new LayerInfo
            {
                ChainId = chainId.ToString(), DiffId = diffId.ToString(), Blob = blob.ToString(),
                Size = size, ContentBytes = result.ContentBytes, Entries = result.Entries, Created = DateTimeOffset.UtcNow,
            };
            AtomicFile.WriteAllBytes(Path.Combine(tmp.Path, "layer.json"),
                JsonSerializer.SerializeToUtf8Bytes(info, StorageJsonContext.Default.LayerInfo));
            return tmp;
        }
        catch
        {
            tmp.Dispose();
            throw;
        }
    }

    /// <summary>Renames an unpacked layer into place unless the store has it already (a concurrent pull won: ours
    /// goes when <paramref name="tmp"/> is disposed). Caller holds storage.lock exclusively and fsyncs layers/.</summary>
    private void CommitLayerLocked(Digest chainId, LockedTempDir tmp)
    {
        if (HasLayerCore(chainId)) return;
        string final = LayerDir(chainId);
        if (Directory.Exists(final)) Trees.RenameThenRemove(final); // incomplete: no layer.json
        Directory.Move(tmp.Path, final);
        tmp.Keep();
    }
}
