using Skiff.Interop;

namespace Skiff.Storage.Locking;

/// <summary>Whole-file replacement that a crash can never leave half-written: temp file in the same
/// directory, fsync, rename over the target, fsync the directory.</summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"{path}: no parent directory", nameof(path));
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
        FsyncDirectory(dir);
    }

    /// <summary>Makes a rename or create in <paramref name="dir"/> durable.</summary>
    public static void FsyncDirectory(string dir)
    {
        using var fd = Libc.OpenFd(dir, Libc.O_RDONLY | Libc.O_DIRECTORY);
        Libc.Check(Libc.Fsync(fd.Fd), $"fsync {dir}");
    }

    /// <summary>True for the temp names <see cref="WriteAllBytes"/> leaves behind when killed.</summary>
    public static bool IsTempName(string fileName) => fileName.StartsWith('.') && fileName.Contains(".tmp-", StringComparison.Ordinal);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
