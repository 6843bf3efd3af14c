using Skiff.Oci;
using Skiff.Storage.Locking;

namespace Skiff.Storage;

/// <summary>
/// The per-user, content-addressed image store under a graph root (rootful /var/lib/skiff,
/// rootless ~/.local/share/skiff):
///   blobs/sha256/HEX          verified manifests, configs and compressed layers
///   blobs/tmp/tmp-RANDOM/     a blob being written, or a pull's staged blobs (flock-held by its writer; swept when the writer is gone)
///   layers/HEX/diff           one unpacked layer per chain id (overlay "diff" directory)
///   layers/HEX/layer.json     its metadata (diffId, source blob, uncompressed size), inside the renamed directory
///   layers/tmp-RANDOM/        a layer being unpacked, or tmp-delete-* one being removed
///   containers/ID/{upper,work,merged}   container layers (<see cref="ContainerLayerStore"/>)
///   images.json               image records, rewritten whole (temp + rename) under storage.lock
/// Every write is temp-then-rename, so a process killed at any moment leaves nothing that looks complete.
/// </summary>
public sealed partial class ImageStore
{
    public ImageStore(string graphRoot) => GraphRoot = Path.GetFullPath(graphRoot);

    public string GraphRoot { get; }

    public bool HasBlob(Digest digest) => File.Exists(BlobPathCore(digest));

    public string BlobPath(Digest digest) => BlobPathCore(digest);

    /// <summary>Streams <paramref name="content"/> into the blob store, verifying its size (when
    /// <paramref name="expectedSize"/> is not negative) and its digest; a mismatch throws
    /// <see cref="DigestMismatchException"/> and stores nothing.</summary>
    public Task PutBlobAsync(Digest expected, long expectedSize, Stream content, CancellationToken cancellationToken = default)
        => PutBlobCoreAsync(expected, expectedSize, content, cancellationToken);

    /// <summary>Reads a small blob (manifest, config) whole.</summary>
    public byte[] ReadBlob(Digest digest) => ReadBlobCore(digest);

    public bool HasLayer(Digest chainId) => HasLayerCore(chainId);

    /// <summary>Unpacks the stored blob <paramref name="blob"/> (tar, tar+gzip or tar+zstd per
    /// <paramref name="mediaType"/>) into a new layer named by <paramref name="chainId"/>, applying OCI
    /// whiteouts as overlayfs whiteouts, refusing entries that escape the layer, and checking that the
    /// uncompressed stream's digest is <paramref name="diffId"/>. Idempotent; atomic.</summary>
    public void CreateLayer(Digest chainId, Digest diffId, Digest blob, string mediaType) => CreateLayerCore(chainId, diffId, blob, mediaType);

    /// <summary>The layer's unpacked directory, for overlay's lowerdir.</summary>
    public string LayerDiffPath(Digest chainId) => Path.Combine(LayerDir(chainId), "diff");

    public IReadOnlyList<ImageRecord> ListImages() => ListImagesCore();

    /// <summary>Finds an image by full name ("host/repo:tag"), by id, or by an unambiguous id prefix.</summary>
    public ImageRecord? FindImage(string nameOrId) => FindImageCore(nameOrId);

    /// <summary>Records a complete image (all its layers present). Names already held by other
    /// images move to this one, as podman does on re-pull.</summary>
    public void AddImage(ImageRecord image) => AddImageCore(image);

    /// <summary>Removes the image and every blob and layer no remaining image uses.</summary>
    public void RemoveImage(string id) => RemoveImageCore(id, null);

    /// <summary>
    /// As <see cref="RemoveImage(string)"/>, after <paramref name="check"/> (which may throw) has run with no
    /// pull and no container start between it and the removal (see <see cref="AcquireUseLock"/>).
    /// </summary>
    public void RemoveImage(string id, Action? check) => RemoveImageCore(id, check);

    /// <summary>
    /// Held shared by every pull's commit (<see cref="PullStaging.Commit"/>: moving its staged blobs and layers in and
    /// recording the image; never while it talks to a registry) and by every container start (from finding its image
    /// to recording the container); removal takes it exclusively, so its garbage collection never deletes blobs or
    /// layers that a pull has stored but not yet recorded, or that a start is about to use.
    /// </summary>
    public IDisposable AcquireUseLock() => AcquireUseLockCore();

    /// <summary>
    /// A private work directory inside the store (under blobs/tmp, swept when its owner is gone), for what an
    /// archive load must spool (stdin) before it can read it: nothing is written outside the store.
    /// </summary>
    public LockedTempDir CreateTempDirectory()
    {
        EnsureOpen();
        return LockedTempDir.Create(BlobTmpDir);
    }

    /// <summary>Opens a stored layer blob as its uncompressed tar stream (gzip and zstd recognised by their magic bytes).</summary>
    public Stream OpenLayerTar(Digest blob) => Layers.Decompression.Open(OpenBlob(blob, BlobPathCore(blob)), "");

    /// <summary>
    /// Removes the blobs and layers no image uses (what a failed load or pull left), under the same locks as a
    /// removal; the caller must not hold <see cref="AcquireUseLock"/>. Skipped (false) while a pull or a start holds
    /// the use lock: what is left then goes with the next removal.
    /// </summary>
    public bool CollectGarbage()
    {
        EnsureOpen();
        using var use = FileLock.TryAcquire(UseLockPath, exclusive: true);
        if (use is null) return false;
        using (FileLock.AcquireExclusive(LockPath))
            CollectGarbage(LoadImages());
        return true;
    }
}

/// <summary>A complete image in the store. Its id is the hex of its config digest, as podman's.</summary>
public sealed class ImageRecord
{
    public string Id { get; set; } = "";
    public List<string> Names { get; set; } = [];
    public string ManifestDigest { get; set; } = "";
    public string ConfigDigest { get; set; } = "";
    /// <summary>Chain ids, bottom layer first.</summary>
    public List<string> Layers { get; set; } = [];
    public DateTimeOffset Created { get; set; }
    /// <summary>Uncompressed size of all layers, bytes.</summary>
    public long Size { get; set; }
}

/// <summary>Content whose digest is not the one it was asked for.</summary>
public sealed class DigestMismatchException : Exception
{
    public DigestMismatchException(string expected, string actual)
        : base($"digest mismatch: expected {expected}, got {actual}") { }

    public DigestMismatchException() { }
    public DigestMismatchException(string message) : base(message) { }
    public DigestMismatchException(string message, Exception inner) : base(message, inner) { }
}
