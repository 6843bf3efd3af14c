using Skiff.Oci;
using Skiff.Storage.Locking;
using Skiff.Storage.Space;

namespace Skiff.Storage;

public sealed partial class ImageStore
{
    /// <summary>The free space a pull leaves on the store's file system when nothing else is said (SKIFF_STORAGE_RESERVE).</summary>
    public const long DefaultFreeSpaceReserve = 256L << 20;

    /// <summary>Bytes a pull must leave free on the store's file system: writing stops with
    /// <see cref="StorageFullException"/> before the free space drops below it. 0 turns the check off.</summary>
    public long FreeSpaceReserve { get; set; } = DefaultFreeSpaceReserve;

    private FreeSpaceGuard SpaceGuard() => new(GraphRoot, FreeSpaceReserve);

    /// <summary>
    /// A private work area for one pull: blobs are downloaded and layers unpacked there with no store lock held (a
    /// stalled registry blocks nobody), and <see cref="PullStaging.Commit"/> moves them into the store and records the
    /// image in one short step under the locks. Whatever is not committed is removed on dispose, and by the next
    /// open of the store when the process was killed.
    /// </summary>
    public PullStaging BeginPull()
    {
        EnsureOpen();
        return new PullStaging(this, LockedTempDir.Create(BlobTmpDir), SpaceGuard());
    }

    /// <summary>See <see cref="BeginPull"/>. Thread-safe: parallel downloads share one.</summary>
    public sealed class PullStaging : IDisposable
    {
        private readonly ImageStore _store;
        private readonly LockedTempDir _dir;
        private readonly FreeSpaceGuard _space;
        private readonly Lock _lock = new();
        private readonly Dictionary<Digest, string> _blobs = [];
        private readonly Dictionary<Digest, LockedTempDir> _layers = [];

        internal PullStaging(ImageStore store, LockedTempDir dir, FreeSpaceGuard space)
        {
            _store = store;
            _dir = dir;
            _space = space;
        }

        /// <summary>True when the blob is staged here or already in the store.</summary>
        public bool HasBlob(Digest digest)
        {
            lock (_lock)
                if (_blobs.ContainsKey(digest)) return true;
            return _store.HasBlob(digest);
        }

        /// <summary>Streams a blob into the work area, verifying its size (when not negative), its digest and the free-space reserve.</summary>
        public async Task PutBlobAsync(Digest expected, long expectedSize, Stream content, CancellationToken cancellationToken = default)
        {
            string data = Path.Combine(_dir.Path, $"{expected.Algorithm}-{expected.Hex}-{Guid.NewGuid():N}");
            try
            {
                await _store.WriteVerifiedBlobAsync(expected, expectedSize, content, data, _space, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                File.Delete(data);
                throw;
            }
            lock (_lock)
            {
                if (!_blobs.TryAdd(expected, data)) File.Delete(data);
            }
        }

        /// <summary>A small blob (manifest, config) held in memory. Staged even when the store has it: an rmi may remove
        /// the store's copy before the commit, which then keeps the one that is already there.</summary>
        public Task PutBlobAsync(Digest expected, byte[] bytes, CancellationToken cancellationToken = default)
        {
            lock (_lock)
                if (_blobs.ContainsKey(expected)) return Task.CompletedTask;
            return PutBlobAsync(expected, bytes.Length, new MemoryStream(bytes, writable: false), cancellationToken);
        }

        /// <summary>Unpacks the layer from its blob (staged here, else in the store) into a private directory, with no
        /// store lock held; <see cref="Commit"/> renames it into place.</summary>
        public void PrepareLayer(Digest chainId, Digest diffId, Digest blob, string mediaType)
        {
            lock (_lock)
                if (_layers.ContainsKey(chainId)) return;
            string path;
            lock (_lock)
                path = _blobs.TryGetValue(blob, out string? staged) ? staged : _store.BlobPathCore(blob);
            var tmp = _store.UnpackLayer(diffId, chainId, blob, path, mediaType, _space);
            lock (_lock)
            {
                if (_layers.TryAdd(chainId, tmp)) return;
            }
            tmp.Dispose();
        }

        /// <summary>
        /// Moves the staged blobs and layers into the store and records <paramref name="image"/>, as one step under the
        /// store's use lock (shared: no removal's garbage collection runs meanwhile) and storage.lock. Throws
        /// <see cref="LayerMissingException"/> (and records nothing) when a layer the image needs is neither staged nor
        /// in the store any more (an rmi removed it after the pull saw it): the caller fetches it and commits again.
        /// </summary>
        public void Commit(ImageRecord image)
        {
            ArgumentNullException.ThrowIfNull(image);
            using (FileLock.AcquireShared(_store.UseLockPath))
            using (FileLock.AcquireExclusive(_store.LockPath))
            {
                lock (_lock)
                {
                    foreach (string layer in image.Layers)
                    {
                        var chainId = ParseLayerId(layer);
                        if (!_layers.ContainsKey(chainId) && !_store.HasLayerCore(chainId))
                            throw new LayerMissingException($"layer {chainId} was removed from the store while the image was pulled");
                    }
                    var dirs = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var (digest, data) in _blobs)
                    {
                        string final = _store.BlobPathCore(digest);
                        if (File.Exists(final)) continue;
                        MoveBlobIntoPlace(data, final);
                        dirs.Add(Path.GetDirectoryName(final)!);
                    }
                    foreach (string dir in dirs) AtomicFile.FsyncDirectory(dir);
                    foreach (var (chainId, tmp) in _layers) _store.CommitLayerLocked(chainId, tmp);
                    if (_layers.Count > 0) AtomicFile.FsyncDirectory(_store.LayersDir);
                    _store.AddImageLocked(image);
                }
            }
        }

        /// <summary>Removes whatever was not committed.</summary>
        public void Dispose()
        {
            lock (_lock)
            {
                foreach (var tmp in _layers.Values) tmp.Dispose();
                _layers.Clear();
                _blobs.Clear();
            }
            _dir.Dispose();
        }
    }
}

/// <summary>A layer an image needs vanished from the store between planning a pull and committing it.</summary>
public sealed class LayerMissingException : Exception
{
    public LayerMissingException() { }
    public LayerMissingException(string message) : base(message) { }
    public LayerMissingException(string message, Exception inner) : base(message, inner) { }
}
