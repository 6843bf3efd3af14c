namespace Skiff.Storage.Tar;

/// <summary>
/// A pass-through stream that follows the tar block structure (512-byte headers, data rounded up to 512)
/// and refuses a metadata entry (PAX 'x'/'g', GNU long name 'L'/'K') declaring more than
/// <see cref="MaxMetadataSize"/> bytes before System.Formats.Tar sees it: TarReader allocates such an
/// entry whole, at its declared size, so a few MB of gzip could otherwise ask for gigabytes.
/// </summary>
internal sealed class TarMetadataGuard(Stream inner) : Stream
{
    public const long MaxMetadataSize = 1 << 20;
    private const int Block = 512;

    private readonly byte[] _header = new byte[Block];
    private int _headerFill;
    private long _skip;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Track(buffer[..n]);
        return n;
    }

    private void Track(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_skip > 0)
            {
                int take = (int)Math.Min(_skip, data.Length);
                _skip -= take;
                data = data[take..];
                continue;
            }
            int fill = Math.Min(Block - _headerFill, data.Length);
            data[..fill].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += fill;
            data = data[fill..];
            if (_headerFill == Block)
            {
                _headerFill = 0;
                Header();
            }
        }
    }

    private void Header()
    {
        long size = Size(_header.AsSpan(124, 12));
        char type = (char)_header[156];
        if (type is 'x' or 'g' or 'L' or 'K' && size > MaxMetadataSize)
            throw new LayerUnpackException($"layer tar has a '{type}' metadata entry of {size} bytes: over the limit of {MaxMetadataSize} bytes, refused");
        _skip = (size + Block - 1) / Block * Block;
    }

    /// <summary>The size field: octal digits (space or NUL ended), or base-256 when the top bit is set.</summary>
    private static long Size(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long v = field[0] & 0x7f;
            foreach (byte b in field[1..])
            {
                if (v > (long.MaxValue >> 8)) return long.MaxValue;
                v = (v << 8) | b;
            }
            return v;
        }
        long octal = 0;
        foreach (byte b in field)
        {
            if (b is (byte)' ' && octal == 0) continue;
            if (b is < (byte)'0' or > (byte)'7') break;
            if (octal > (long.MaxValue >> 3)) return long.MaxValue;
            octal = (octal << 3) | (uint)(b - '0');
        }
        return octal;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
