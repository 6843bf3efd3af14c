using Skiff.Storage.Locking;

namespace Skiff.Tests.Storage;

public sealed class LockingTests : IDisposable
{
    private readonly Sandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public void An_exclusive_lock_excludes_others_until_released()
    {
        string path = Path.Combine(_box.Layer, "state.lock");
        using (FileLock.AcquireExclusive(path))
        {
            Assert.Null(FileLock.TryAcquire(path, exclusive: true));
            Assert.Null(FileLock.TryAcquire(path, exclusive: false));
        }
        using var again = FileLock.TryAcquire(path, exclusive: true);
        Assert.NotNull(again);
    }

    [Fact]
    public void Shared_locks_coexist_and_exclude_a_writer()
    {
        string path = Path.Combine(_box.Layer, "state.lock");
        using var a = FileLock.AcquireShared(path);
        using var b = FileLock.TryAcquire(path, exclusive: false);
        Assert.NotNull(b);
        Assert.Null(FileLock.TryAcquire(path, exclusive: true));
    }

    [Fact]
    public void AtomicFile_replaces_the_whole_file_and_leaves_no_temp()
    {
        string path = Path.Combine(_box.Layer, "state.json");
        AtomicFile.WriteAllBytes(path, "first, longer content"u8);
        AtomicFile.WriteAllBytes(path, "second"u8);
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.EnumerateFileSystemEntries(_box.Layer).Select(p => Path.GetFileName(p)!).ToArray());
    }

    [Fact]
    public void A_locked_temp_dir_is_swept_only_after_its_owner_is_gone()
    {
        var tmp = LockedTempDir.Create(_box.Layer);
        File.WriteAllText(Path.Combine(tmp.Path, "part"), "x");
        LockedTempDir.SweepStale(_box.Layer);
        Assert.True(Directory.Exists(tmp.Path));
        tmp.Dispose();
        Assert.False(Directory.Exists(tmp.Path));
    }

    [Fact]
    public async Task A_sweep_running_alongside_never_takes_a_temp_dir_being_created()
    {
        // The race: a sweep that probes a tmp-* directory between its creator's mkdir and flock finds it
        // unlocked and removes it. Many creations against a sweeping loop expose it within milliseconds.
        string parent = Path.Combine(_box.Layer, "work");
        Directory.CreateDirectory(parent);
        using var stop = new CancellationTokenSource();
        var sweeper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) LockedTempDir.SweepStale(parent);
        });
        int lost = 0;
        var spent = System.Diagnostics.Stopwatch.StartNew(); // bounds the work, asserts nothing about time
        try
        {
            for (int i = 0; i < 20000 && spent.Elapsed < TimeSpan.FromSeconds(2); i++)
            {
                using var tmp = LockedTempDir.Create(parent);
                if (!Directory.Exists(tmp.Path)) lost++;
            }
        }
        finally
        {
            stop.Cancel();
            await sweeper;
        }
        Assert.Equal(0, lost);
    }
}
