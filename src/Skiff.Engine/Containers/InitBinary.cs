using System.Globalization;
using Skiff.Engine.Configuration;
using Skiff.Storage.Locking;

namespace Skiff.Engine.Containers;

/// <summary>
/// --init: the container's PID 1 is skiff-init (podman's catatonit; static, for images without a C library), bound read-only at
/// <see cref="Destination"/> and run as `/run/skiff-init -- PROGRAM...`. What is bound is a copy kept in the store,
/// never the installed binary, so a container that can remount it writable (--privileged) changes only the copy.
/// </summary>
public static class InitBinary
{
    public const string Destination = "/run/skiff-init";

    public const string ProgramName = "skiff-init";

    /// <summary>The store's copy of <paramref name="initPath"/> (--init-path), or of skiff-init; made when missing.</summary>
    public static string Prepare(SkiffPaths paths, string? initPath)
    {
        string source = initPath ?? Processes.HelperPrograms.FindOwn(ProgramName)
            ?? throw new EngineException($"{ProgramName} was not found beside skiff or in $PATH: install Skiff completely (make install)");
        var info = new FileInfo(source);
        if (!info.Exists) throw new EngineException($"container-init binary not found on the host: {source}: no such file", ErrorKind.NoSuchObject);
        string dir = Path.Combine(paths.GraphRoot, "init");
        string copy = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"init-{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}"));
        if (File.Exists(copy)) return copy;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(copy)}.tmp-{Guid.NewGuid():N}");
        try
        {
            File.Copy(source, temp);
            File.SetUnixFileMode(temp, (UnixFileMode)0b111_101_101);
            File.Move(temp, copy, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); }
            catch (IOException) { }
            throw new EngineException($"copying the container init {source}: {UserMessages.Of(e)}");
        }
        AtomicFile.FsyncDirectory(dir);
        return copy;
    }
}
