using System.Text;
using Skiff.Interop;

namespace Skiff.Monitor;

/// <summary>
/// The container's output in podman's k8s-file format, one record per line:
/// <c>2026-12-01T06:33:44.123456700+00:00 stdout F text</c> (F: a full line; P: a partial one, continued by the
/// next record). With a maximum size the file is truncated once it would grow past it, as conmon does.
/// </summary>
public sealed class KubeLogWriter : IDisposable
{
    private readonly string _path;
    private readonly long _maxSize;
    private SafeFd _fd;
    private long _size;
    // Grown at first use to the longest record written so far (at most 16 KiB of content per record).
    private byte[] _record = [];
    private const int MaxContent = 16 * 1024;

    public KubeLogWriter(string path, long maxSize)
    {
        _path = path;
        _maxSize = maxSize;
        _fd = Open(path, truncate: false);
        _size = new FileInfo(path).Length;
    }

    private static SafeFd Open(string path, bool truncate) =>
        Libc.OpenFd(path, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_CLOEXEC | (truncate ? Libc.O_TRUNC : 0), 0x180); // 0600

    /// <summary>Writes <paramref name="data"/> from <paramref name="stream"/> ("stdout" or "stderr") as records.</summary>
    public void Write(string stream, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int nl = data.IndexOf((byte)'\n');
            bool full = nl >= 0;
            var line = full ? data[..nl] : data;
            WriteRecord(stream, line, full);
            data = full ? data[(nl + 1)..] : [];
        }
    }

    private void WriteRecord(string stream, ReadOnlySpan<byte> line, bool full)
    {
        while (line.Length > MaxContent)
        {
            WriteRecord(stream, line[..MaxContent], full: false);
            line = line[MaxContent..];
        }
        if (_record.Length < line.Length + 64) _record = new byte[Math.Min(MaxContent, Math.Max(line.Length, 256) * 2) + 64];
        int n = Encoding.ASCII.GetBytes(Timestamp(DateTimeOffset.Now), _record);
        _record[n++] = (byte)' ';
        n += Encoding.ASCII.GetBytes(stream, _record.AsSpan(n));
        _record[n++] = (byte)' ';
        _record[n++] = full ? (byte)'F' : (byte)'P';
        _record[n++] = (byte)' ';
        line.CopyTo(_record.AsSpan(n));
        n += line.Length;
        _record[n++] = (byte)'\n';
        if (_maxSize > 0 && _size + n > _maxSize)
        {
            _fd.Dispose();
            _fd = Open(_path, truncate: true);
            _size = 0;
        }
        try { Libc.WriteAll(_fd.Fd, _record.AsSpan(0, n)); }
        catch (ErrnoException) { return; } // a full disk loses log lines, never the container
        _size += n;
    }

    /// <summary>RFC 3339 with nanoseconds and the local offset, as conmon writes it.</summary>
    public static string Timestamp(DateTimeOffset t)
    {
        long nanos = t.Ticks % TimeSpan.TicksPerSecond * 100;
        var offset = t.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{t:yyyy-MM-dd'T'HH:mm:ss}.{nanos:D9}{sign}{offset.Hours:D2}:{offset.Minutes:D2}");
    }

    public void Dispose() => _fd.Dispose();
}
