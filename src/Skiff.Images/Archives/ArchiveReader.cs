using System.Formats.Tar;
using Microsoft.Win32.SafeHandles;

namespace Skiff.Images.Archives;

/// <summary>
/// The outer tar of an image archive, indexed but never unpacked: each file's place in the archive, read in place
/// with positioned reads. Every entry name is checked first (an absolute name or a ".." component refuses the whole
/// archive), and a name looked up (from manifest.json, index.json) must be a plain relative path naming a regular
/// file, or a link inside the archive to one (podman's own archives link legacy layer.tar files to the layers).
/// </summary>
internal sealed class ArchiveReader : IDisposable
{
    private const int MaxEntries = 1 << 16;
    private const int MaxLinkHops = 8;

    private readonly FileStream _file;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(long Offset, long Length, string? Link);

    private ArchiveReader(FileStream file) => _file = file;

    public string Path => _file.Name;

    /// <summary>Indexes the archive at <paramref name="path"/>; a stream that is not a tar throws <see cref="ArchiveException"/>.</summary>
    public static ArchiveReader Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        var reader = new ArchiveReader(file);
        try
        {
            reader.Index();
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private void Index()
    {
        try
        {
            using var tar = new TarReader(_file, leaveOpen: true);
            int count = 0;
            while (tar.GetNextEntry(copyData: false) is { } e)
            {
                if (++count > MaxEntries) throw new ArchiveException($"more than {MaxEntries} entries in the archive");
                string name = Normalize(e.Name)
                    ?? throw new ArchiveException($"archive entry \"{e.Name}\" points outside the archive");
                switch (e.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        _entries[name] = new Entry(e.DataOffset, e.Length, null);
                        break;
                    case TarEntryType.SymbolicLink:
                        // Relative to the link's directory; one leaving the archive is refused when it is used.
                        string dir = name.Contains('/', StringComparison.Ordinal) ? name[..name.LastIndexOf('/')] : "";
                        _entries[name] = new Entry(0, 0, e.LinkName.StartsWith('/') ? "" : Normalize(dir.Length == 0 ? e.LinkName : dir + "/" + e.LinkName) ?? "");
                        break;
                    case TarEntryType.HardLink:
                        _entries[name] = new Entry(0, 0, Normalize(e.LinkName) ?? "");
                        break;
                    default:
                        _entries.Remove(name); // directories and the rest name nothing to read
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new ArchiveException($"not a tar archive: {Interop.ErrorText.Of(e)}", e);
        }
    }

    /// <summary>"a/./b//c" as "a/b/c"; null for an absolute name or one with a ".." component.</summary>
    private static string? Normalize(string name)
    {
        if (name.StartsWith('/')) return null;
        var parts = new List<string>();
        foreach (string part in name.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..") return null;
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public bool Has(string name) => Normalize(name) is { } n && _entries.ContainsKey(n);

    /// <summary>The file <paramref name="name"/> names, following links inside the archive.</summary>
    private Entry Find(string name)
    {
        string? n = Normalize(name);
        if (n is null || n.Length == 0) throw new ArchiveException($"\"{name}\" points outside the archive");
        for (int hop = 0; hop <= MaxLinkHops; hop++)
        {
            if (!_entries.TryGetValue(n, out var entry)) throw new ArchiveException($"\"{name}\" is not in the archive");
            if (entry.Link is null) return entry;
            if (entry.Link.Length == 0) throw new ArchiveException($"\"{name}\" is a link pointing outside the archive");
            n = entry.Link;
        }
        throw new ArchiveException($"\"{name}\": too many levels of links");
    }

    public long Length(string name) => Find(name).Length;

    /// <summary>The file's bytes as a stream of its own (positioned reads: several may be open at once).</summary>
    public Stream OpenFile(string name)
    {
        var e = Find(name);
        return new RegionStream(_file.SafeFileHandle, e.Offset, e.Length);
    }

    /// <summary>A small file (manifest, index, config) read whole; larger than <paramref name="max"/> is refused.</summary>
    public byte[] ReadSmall(string name, int max)
    {
        var e = Find(name);
        if (e.Length > max) throw new ArchiveException($"\"{name}\" is {e.Length} bytes, more than the limit of {max}");
        var bytes = new byte[e.Length];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = RandomAccess.Read(_file.SafeFileHandle, bytes.AsSpan(read), e.Offset + read);
            if (n == 0) throw new ArchiveException($"\"{name}\": the archive ends inside it");
            read += n;
        }
        return bytes;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>A read-only window on the archive file.</summary>
    private sealed class RegionStream(SafeFileHandle handle, long start, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => _position = Math.Clamp(value, 0, length); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long left = length - _position;
            if (left <= 0 || buffer.IsEmpty) return 0;
            if (buffer.Length > left) buffer = buffer[..(int)left];
            int n = RandomAccess.Read(handle, buffer, start + _position);
            if (n == 0) throw new ArchiveException("the archive ends inside a file it lists");
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
            => Position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
