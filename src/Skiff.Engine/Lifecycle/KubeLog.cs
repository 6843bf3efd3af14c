using System.Globalization;
using System.Text;

namespace Skiff.Engine.Lifecycle;

/// <summary>One record of a k8s-file log: when, which stream, whether it ends a line, and the bytes.</summary>
public sealed record KubeLogRecord(DateTimeOffset Time, string TimeText, bool Stderr, bool Full, byte[] Content);

/// <summary>Reads the k8s-file logs skiff-monitor writes (<c>TIME STREAM F|P CONTENT</c> per line), as podman reads them.</summary>
public static class KubeLog
{
    /// <summary>Parses one line (without its newline); null for a line that is not a record (a torn or foreign one).</summary>
    public static KubeLogRecord? Parse(ReadOnlySpan<byte> line)
    {
        int a = line.IndexOf((byte)' ');
        if (a <= 0) return null;
        var rest = line[(a + 1)..];
        int b = rest.IndexOf((byte)' ');
        if (b <= 0 || rest.Length < b + 3) return null;
        string time = Encoding.ASCII.GetString(line[..a]);
        if (!DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return null;
        var stream = rest[..b];
        bool stderr = stream.SequenceEqual("stderr"u8);
        if (!stderr && !stream.SequenceEqual("stdout"u8)) return null;
        byte tag = rest[b + 1];
        if (tag is not ((byte)'F' or (byte)'P') || rest[b + 2] != (byte)' ') return null;
        return new KubeLogRecord(t, time, stderr, tag == (byte)'F', rest[(b + 3)..].ToArray());
    }

    /// <summary>The records of <paramref name="path"/> from byte <paramref name="offset"/>; the offset moves past the last complete line.</summary>
    public static List<KubeLogRecord> ReadFrom(string path, ref long offset)
    {
        var records = new List<KubeLogRecord>();
        if (!File.Exists(path)) return records;
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (f.Length < offset) offset = 0; // truncated by --log-opt max-size
        f.Position = offset;
        var data = new byte[f.Length - offset];
        int read = 0;
        while (read < data.Length)
        {
            int n = f.Read(data, read, data.Length - read);
            if (n == 0) break;
            read += n;
        }
        var span = data.AsSpan(0, read);
        while (true)
        {
            int nl = span.IndexOf((byte)'\n');
            if (nl < 0) break;
            if (Parse(span[..nl]) is { } r) records.Add(r);
            offset += nl + 1;
            span = span[(nl + 1)..];
        }
        return records;
    }

    /// <summary>Podman's --since/--until: RFC 3339 times, Unix seconds, or a duration back from now (10m, 1h30m).</summary>
    /// <summary>The records of the last <paramref name="lines"/> lines (a line may span partial records).</summary>
    public static List<KubeLogRecord> TailLines(List<KubeLogRecord> records, int lines)
    {
        ArgumentNullException.ThrowIfNull(records);
        int seen = 0, i = records.Count;
        while (i > 0)
        {
            if (records[i - 1].Full) { if (seen == lines) break; seen++; }
            i--;
        }
        return records.GetRange(i, records.Count - i);
    }

    public static DateTimeOffset ParseTime(string text, DateTimeOffset now)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var t)) return t;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        if (Duration(text) is { } d) return now - d;
        throw new EngineException($"invalid time \"{text}\": give an RFC 3339 time, Unix seconds or a duration such as 10m");
    }

    /// <summary>A Go duration: 1h2m3s, 500ms, 1.5h.</summary>
    public static TimeSpan? Duration(string text)
    {
        var total = TimeSpan.Zero;
        int i = 0;
        if (text.Length == 0) return null;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (start == i || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return null;
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
            total += text[unitStart..i] switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                "us" or "µs" => TimeSpan.FromMicroseconds(value),
                "ns" => TimeSpan.FromTicks((long)(value / 100)),
                _ => TimeSpan.MinValue,
            };
            if (total < TimeSpan.Zero) return null;
        }
        return total;
    }
}
