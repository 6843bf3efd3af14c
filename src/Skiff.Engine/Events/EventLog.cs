using System.Text;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Interop;
using Skiff.Storage.Locking;

namespace Skiff.Engine.Events;

/// <summary>
/// The engine's event log, as podman's file backend keeps it: RUNROOT/events/events.log, one JSON line per event,
/// each appended with one O_APPEND write of the whole line (concurrent writers never interleave). Once the file
/// passes <see cref="MaxSize"/> the next writer moves it to events.log.1 (the one before is dropped), so the log
/// holds at most about twice that; readers read events.log.1 then events.log, and a follower that sees the file
/// replaced finishes the old one before it goes on with the new.
/// </summary>
public sealed class EventLog(string directory, long maxSize = EventLog.DefaultMaxSize)
{
    /// <summary>podman's events_logfile_max_size default: 1 MB.</summary>
    public const long DefaultMaxSize = 1_000_000;

    public static EventLog For(SkiffPaths paths) => new(Path.Combine(paths.RunRoot, "events"),
        Environment.GetEnvironmentVariable("SKIFF_EVENTS_MAX_SIZE") is { } s && long.TryParse(s, out long n) && n > 0 ? n : DefaultMaxSize);

    public string FilePath => Path.Combine(directory, "events.log");
    public string RotatedPath => FilePath + ".1";
    private string LockPath => FilePath + ".lock";
    public long MaxSize => maxSize;

    /// <summary>Appends one event. An event that cannot be written is lost with a warning: it never fails the operation.</summary>
    public void Write(EngineEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        byte[] line = Encoding.UTF8.GetBytes(e.ToJson() + "\n");
        try
        {
            Directory.CreateDirectory(directory);
            RotateIfFull();
            using var fd = Libc.OpenFd(FilePath, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_CLOEXEC, 0x180);
            Libc.WriteAll(fd.Fd, line);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ErrnoException)
        {
            Console.Error.WriteLine($"Warning: writing the event {e.Type} {e.Status}: {ErrorText.Of(ex)}");
        }
    }

    /// <summary>A container's event, its image, name and labels as podman records them.</summary>
    public void Container(ContainerRecord c, string status, int exitCode = 0)
    {
        ArgumentNullException.ThrowIfNull(c);
        Write(new EngineEvent(EventTypes.Container, status, DateTimeOffset.UtcNow, c.Id, c.Name, c.ImageName,
            new Dictionary<string, string>(c.Labels, StringComparer.Ordinal), exitCode));
    }

    public void Image(string status, string? id, string? name)
        => Write(new EngineEvent(EventTypes.Image, status, DateTimeOffset.UtcNow, id, name));

    private void RotateIfFull()
    {
        var info = new FileInfo(FilePath);
        if (!info.Exists || info.Length < maxSize) return;
        using var l = FileLock.AcquireExclusive(LockPath);
        // Another writer may have rotated it while we waited.
        info.Refresh();
        if (info.Exists && info.Length >= maxSize) File.Move(FilePath, RotatedPath, overwrite: true);
    }

    /// <summary>Every event recorded so far, oldest first.</summary>
    public IEnumerable<EngineEvent> ReadAll()
    {
        foreach (string path in new[] { RotatedPath, FilePath })
        {
            string text;
            try { text = File.ReadAllText(path); }
            catch (FileNotFoundException) { continue; }
            catch (DirectoryNotFoundException) { continue; }
            foreach (string line in text.Split('\n'))
                if (line.Length > 0 && EngineEvent.Parse(line) is { } e) yield return e;
        }
    }

    /// <summary>
    /// Each new event as it is written (the file followed like tail -f, through rotations), until
    /// <paramref name="cancellationToken"/> is cancelled; with <paramref name="fromStart"/> the events recorded so far first.
    /// </summary>
    public IEnumerable<EngineEvent> Follow(CancellationToken cancellationToken, bool fromStart = true)
    {
        Directory.CreateDirectory(directory);
        // The rotated file first: whatever it holds is older than the current one.
        if (fromStart)
            foreach (var e in ReadFile(RotatedPath)) yield return e;
        FileStream? current = null;
        try
        {
            if (!fromStart && (current = TryOpen(FilePath)) is not null) current.Seek(0, SeekOrigin.End);
            var pending = new StringBuilder();
            // What is there is read before the token is looked at: a cancelled follow still gives the past.
            while (true)
            {
                current ??= TryOpen(FilePath);
                bool any = false;
                if (current is not null)
                {
                    foreach (var e in ReadAvailable(current, pending))
                    {
                        any = true;
                        yield return e;
                    }
                    // Replaced (rotated): the old file is complete once we have read to its end; go on with the new one.
                    if (!any && Replaced(current))
                    {
                        foreach (var e in ReadAvailable(current, pending)) yield return e;
                        current.Dispose();
                        current = null;
                        pending.Clear();
                        continue;
                    }
                }
                if (cancellationToken.IsCancellationRequested) break;
                if (!any) cancellationToken.WaitHandle.WaitOne(100);
            }
        }
        finally
        {
            current?.Dispose();
        }
    }

    private static IEnumerable<EngineEvent> ReadFile(string path)
    {
        using var f = TryOpen(path);
        if (f is null) yield break;
        foreach (var e in ReadAvailable(f, new StringBuilder())) yield return e;
    }

    private static FileStream? TryOpen(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <summary>The whole lines from the stream's position to its end (a partial last line waits in <paramref name="pending"/>).</summary>
    private static List<EngineEvent> ReadAvailable(FileStream f, StringBuilder pending)
    {
        var events = new List<EngineEvent>();
        var buffer = new byte[64 * 1024];
        int n;
        var bytes = new List<byte>();
        while ((n = f.Read(buffer)) > 0) bytes.AddRange(buffer.AsSpan(0, n));
        if (bytes.Count == 0) return events;
        pending.Append(Encoding.UTF8.GetString([.. bytes]));
        string text = pending.ToString();
        int last = text.LastIndexOf('\n');
        if (last < 0) return events;
        pending.Clear().Append(text.AsSpan(last + 1));
        foreach (string line in text[..last].Split('\n'))
            if (line.Length > 0 && EngineEvent.Parse(line) is { } e) events.Add(e);
        return events;
    }

    /// <summary>
    /// Whether the file at <see cref="FilePath"/> is no longer the one we read: gone, or shorter than what we have read
    /// of ours. A file is only rotated once it has passed <see cref="MaxSize"/>, so its successor is shorter than our
    /// position unless it grew by that much between two polls.
    /// </summary>
    private bool Replaced(FileStream open)
    {
        var info = new FileInfo(FilePath);
        return !info.Exists || info.Length < open.Position;
    }
}
