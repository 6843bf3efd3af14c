namespace Skiff.Storage.Locking;

/// <summary>
/// A private work directory "PARENT/tmp-RANDOM" held under an flock on the directory itself while its
/// owner lives. A directory whose lock can be taken belongs to a dead process and is swept by
/// <see cref="SweepStale"/>; one still locked belongs to a live writer and is left alone.
/// </summary>
public sealed class LockedTempDir : IDisposable
{
    public const string Prefix = "tmp-";
    private FileLock? _lock;
    private bool _kept;

    private LockedTempDir(string path, FileLock @lock)
    {
        Path = path;
        _lock = @lock;
    }

    public string Path { get; }

    public static LockedTempDir Create(string parent)
    {
        Directory.CreateDirectory(parent);
        string path = System.IO.Path.Combine(parent, Prefix + Guid.NewGuid().ToString("N"));
        // Between mkdir and flock the new directory is unlocked: a sweep must not see it then. Creators hold
        // the parent shared across both steps; a sweep probes under the parent's exclusive lock.
        using (FileLock.AcquireShared(parent))
        {
            Directory.CreateDirectory(path);
            return new LockedTempDir(path, FileLock.AcquireExclusive(path));
        }
    }

    /// <summary>The directory was renamed into place: dispose only releases the lock.</summary>
    public void Keep() => _kept = true;

    public void Dispose()
    {
        if (!_kept) Trees.RemoveTree(Path);
        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>Removes tmp-* directories under <paramref name="parent"/> whose writer is gone.</summary>
    public static void SweepStale(string parent)
    {
        if (!Directory.Exists(parent)) return;
        using var noneBeingCreated = FileLock.AcquireExclusive(parent);
        foreach (string dir in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            FileLock? probe;
            try { probe = FileLock.TryAcquire(dir, exclusive: true); }
            catch (IOException) { continue; } // vanished meanwhile
            if (probe is null) continue;
            using (probe)
            {
                // Rootless, files a pull unpacked inside the user namespace belong to subordinate ids: a command
                // run outside it (images) cannot remove them. Leave them for the next open inside.
                try { Trees.RemoveTree(dir); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
    }
}
