using Skiff.Storage.Locking;
using Skiff.Storage.Tar;

namespace Skiff.Storage;

public sealed partial class ImageStore
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly Lock _openLock = new();
    private bool _opened;

    /// <summary>The lock every change to images.json, and every layer rename and removal, happens under.</summary>
    public string LockPath => Path.Combine(GraphRoot, "storage.lock");

    /// <summary>Opaque directories in this store's layers carry user.overlay.opaque: mount them with "userxattr".</summary>
    public bool UsesUserXattr => OverlayXattr.UsesUserXattr;

    /// <summary>Creates the store's directories and, under the exclusive lock, removes what killed processes
    /// left behind (tmp-* layer and blob directories whose writer is gone, temp images.json files).</summary>
    private void EnsureOpen()
    {
        lock (_openLock)
        {
            if (_opened) return;
            // Owner only, as containers/storage does: layers hold images' setuid binaries and device nodes,
            // which no other host user may reach through the store.
            Directory.CreateDirectory(GraphRoot, OwnerOnly);
            Directory.CreateDirectory(LayersDir, OwnerOnly);
            File.SetUnixFileMode(LayersDir, OwnerOnly);
            Directory.CreateDirectory(BlobTmpDir);
            using (FileLock.AcquireExclusive(LockPath))
            {
                LockedTempDir.SweepStale(LayersDir);
                LockedTempDir.SweepStale(BlobTmpDir);
                foreach (string f in Directory.EnumerateFiles(GraphRoot))
                    if (AtomicFile.IsTempName(Path.GetFileName(f))) File.Delete(f);
            }
            _opened = true;
        }
    }
}
