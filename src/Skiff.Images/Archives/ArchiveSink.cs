using System.Buffers;
using System.Text;

namespace Skiff.Images.Archives;

/// <summary>Where a save writes its files: a tar stream (docker-archive, oci-archive) or a directory (oci-dir, docker-dir).</summary>
internal interface IArchiveSink
{
    /// <summary>Writes <paramref name="length"/> bytes of <paramref name="content"/> as <paramref name="name"/>; a
    /// stream shorter or longer than that throws (nothing half-written is kept: the caller discards the output).</summary>
    void WriteFile(string name, long length, Stream content);

    void WriteDirectory(string name);
}

/// <summary>
/// A plain ustar stream (names are digests, always under 100 bytes): files 0644 and directories 0755 owned by
/// root with time 0, as containers/image writes them, ended by the two zero blocks.
/// </summary>
internal sealed class TarSink(Stream output) : IArchiveSink
{
    private const int Block = 512;

    public void WriteDirectory(string name) => WriteHeader(name.TrimEnd('/') + "/", 0, (byte)'5', 0b111_101_101);

    public void WriteFile(string name, long length, Stream content)
    {
        WriteHeader(name, length, (byte)'0', 0b110_100_100);
        Copy(content, output, length, name);
        int pad = (int)((Block - length % Block) % Block);
        if (pad > 0) output.Write(new byte[pad]);
    }

    /// <summary>The end-of-archive marker.</summary>
    public void Finish()
    {
        output.Write(new byte[2 * Block]);
        output.Flush();
    }

    private void WriteHeader(string name, long size, byte type, int mode)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > 100) throw new ArchiveException($"archive entry name {name} is longer than 100 bytes");
        var h = new byte[Block];
        nameBytes.CopyTo(h, 0);
        Octal(h, 100, 8, mode);
        Octal(h, 108, 8, 0);
        Octal(h, 116, 8, 0);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, 0);
        h[156] = type;
        Encoding.ASCII.GetBytes("ustar\0").CopyTo(h, 257);
        h[263] = (byte)'0';
        h[264] = (byte)'0';
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        int sum = 0;
        foreach (byte b in h) sum += b;
        Octal(h, 148, 7, sum);
        h[155] = (byte)' ';
        output.Write(h);
    }

    /// <summary>A zero-padded octal field of <paramref name="width"/> bytes, the last one NUL.</summary>
    private static void Octal(byte[] h, int offset, int width, long value)
    {
        string s = Convert.ToString(value, 8).PadLeft(width - 1, '0');
        if (s.Length > width - 1) throw new ArchiveException($"value {value} does not fit in a tar header");
        Encoding.ASCII.GetBytes(s).CopyTo(h, offset);
        h[offset + width - 1] = 0;
    }

    /// <summary>Copies exactly <paramref name="length"/> bytes, refusing a source of another length.</summary>
    internal static void Copy(Stream from, Stream to, long length, string name)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            long left = length;
            while (left > 0)
            {
                int n = from.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0) throw new ArchiveException($"{name}: {length - left} bytes, expected {length}");
                to.Write(buffer, 0, n);
                left -= n;
            }
            if (from.Read(buffer, 0, 1) != 0) throw new ArchiveException($"{name}: more than the expected {length} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>Files in a directory (the caller's temp directory, renamed into place when complete).</summary>
internal sealed class DirectorySink(string root) : IArchiveSink
{
    public void WriteDirectory(string name) => Directory.CreateDirectory(Path.Combine(root, name));

    public void WriteFile(string name, long length, Stream content)
    {
        string path = Path.Combine(root, name);
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            TarSink.Copy(content, fs, length, name);
            fs.Flush(flushToDisk: true);
        }
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }
}
