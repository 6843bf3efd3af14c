using System.Text;

namespace Skiff.Storage.Tar;

/// <summary>
/// A stream that follows the tar block structure (512-byte headers, data rounded up to 512) in front of
/// System.Formats.Tar's reader, for what that reader cannot do itself. Headers and metadata entries are read
/// whole and handed on; file data passes straight through (one pass, no copy of the layer).
/// <list type="bullet">
/// <item>refuse a metadata entry (PAX 'x'/'g', GNU long name 'L'/'K') declaring more than
/// <see cref="MaxMetadataSize"/> bytes before TarReader sees it: TarReader allocates such an entry whole, at its
/// declared size, so a few MB of gzip could otherwise ask for gigabytes;</item>
/// <item>end the archive as podman's (Go's archive/tar) and GNU tar do when the input stops right after an
/// entry's data, without the padding or the end-of-archive blocks (umoci 0.4.7 writes such layers): the missing
/// zeros are supplied here. An input that stops inside an entry's data or inside a header is refused with
/// <see cref="TarTruncatedException"/>, never the reader's resource-key EndOfStreamException;</item>
/// <item>keep the SCHILY.xattr.* records of a PAX header as raw bytes: TarReader decodes every value as UTF-8
/// (mangling binary values such as security.capability) and splits records at '\n' (refusing a header whose
/// binary value holds that byte), so such a value reaches it as a placeholder of the same length.</item>
/// </list>
/// TarReader, on a stream that cannot seek, reads a header only after the previous entry's data, so when it
/// returns an entry this guard has seen exactly the headers up to that entry's: <see cref="Headers"/> counts
/// them, and <see cref="Xattrs"/> holds the raw xattrs of the last one.
/// </summary>
internal sealed class TarMetadataGuard(Stream inner) : Stream
{
    public const long MaxMetadataSize = 1 << 20;
    private const int Block = 512;
    private const string SchilyXattr = "SCHILY.xattr.";

    private readonly byte[] _header = new byte[Block];
    private byte[] _out = [];  // bytes to hand out before reading on: a header, a metadata entry, end zeros
    private int _outPos;
    private long _data;        // data bytes of the current entry still to pass through
    private long _padding;     // then padding bytes up to the next block
    private List<KeyValuePair<string, byte[]>>? _pendingXattrs;
    private long? _pendingSize;
    private string? _pendingPath;
    private bool _ended;

    /// <summary>Headers of entries seen so far, as TarReader returns them: PAX global headers ('g') counted, the
    /// metadata entries 'x', 'L', 'K' (merged into the entry after them) and end-of-archive blocks not.</summary>
    public int Headers { get; private set; }

    /// <summary>The name in the last counted header (PAX path, GNU long name or ustar name), for messages about
    /// a header TarReader refused before it made an entry of it; control characters shown as '?'.</summary>
    public string HeaderName { get; private set; } = "";

    /// <summary>The SCHILY.xattr.* records (name without the prefix, raw value) of the last counted header.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; private set; } = [];

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Headers and metadata entries are read whole here and handed out from a buffer; file data
    /// passes straight through.</summary>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            if (_outPos < _out.Length)
            {
                int n = Math.Min(buffer.Length, _out.Length - _outPos);
                _out.AsSpan(_outPos, n).CopyTo(buffer);
                _outPos += n;
                return n;
            }
            if (_data > 0)
            {
                int n = inner.Read(buffer[..(int)Math.Min(_data, buffer.Length)]);
                if (n == 0)
                {
                    _ended = true;
                    throw new TarTruncatedException(TarTruncation.Data, _data);
                }
                _data -= n;
                return n;
            }
            if (_padding > 0)
            {
                int n = inner.Read(buffer[..(int)Math.Min(_padding, buffer.Length)]);
                if (n > 0)
                {
                    _padding -= n;
                    return n;
                }
                // The input stopped after the entry's data: the padding and end blocks are zeros anyway.
                Emit(new byte[_padding + 2 * Block]);
                _padding = 0;
                _ended = true;
                continue;
            }
            if (_ended) return 0;
            int got = inner.ReadAtLeast(_header, Block, throwOnEndOfStream: false);
            if (got == 0)
            {
                // The input stopped between entries: the end-of-archive blocks are missing, nothing else.
                Emit(new byte[2 * Block]);
                _ended = true;
                continue;
            }
            if (got < Block)
            {
                _ended = true;
                throw new TarTruncatedException(TarTruncation.Header, Block - got);
            }
            Header();
        }
    }

    private void Emit(byte[] bytes)
    {
        _out = bytes;
        _outPos = 0;
    }

    private void Header()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            Emit((byte[])_header.Clone()); // an end-of-archive block
            return;
        }
        long size = Size(_header.AsSpan(124, 12));
        char type = (char)_header[156];
        if (type is 'x' or 'g' or 'L' or 'K')
        {
            if (size > MaxMetadataSize)
                throw new TarMetadataTooLargeException(type, size);
            // Read whole (TarReader would allocate it whole too), so that PAX records can be read raw.
            int padded = (int)((size + Block - 1) / Block * Block);
            var bytes = new byte[Block + padded];
            _header.CopyTo(bytes, 0);
            int got = inner.ReadAtLeast(bytes.AsSpan(Block, (int)size), (int)size, throwOnEndOfStream: false);
            if (got < size)
            {
                _ended = true;
                throw new TarTruncatedException(TarTruncation.MetadataData, size - got);
            }
            // Padding after metadata: lenient as after file data (zeros either way).
            inner.ReadAtLeast(bytes.AsSpan(Block + (int)size), padded - (int)size, throwOnEndOfStream: false);
            if (type == 'x') ParsePax(bytes.AsSpan(Block, (int)size));
            if (type == 'L') _pendingPath = CString(bytes.AsSpan(Block, (int)size));
            if (type == 'g')
            {
                // TarReader hands a global header on as an entry of its own: count it, with no xattrs.
                Headers++;
                Xattrs = [];
                HeaderName = Printable(UstarName());
            }
            Emit(bytes);
            return;
        }
        // An entry: the PAX records before it (if any) are its own; a PAX "size" overrides the header's.
        if (_pendingSize is long paxSize) size = paxSize;
        Headers++;
        Xattrs = _pendingXattrs ?? [];
        HeaderName = Printable(_pendingPath ?? UstarName());
        _pendingXattrs = null;
        _pendingSize = null;
        _pendingPath = null;
        _data = size;
        _padding = (Block - size % Block) % Block;
        Emit((byte[])_header.Clone());
    }

    /// <summary>The name field, after the prefix field when the header is ustar's.</summary>
    private string UstarName()
    {
        string name = CString(_header.AsSpan(0, 100));
        if (!_header.AsSpan(257, 6).SequenceEqual("ustar\0"u8)) return name;
        string prefix = CString(_header.AsSpan(345, 155));
        return prefix.Length == 0 ? name : prefix + "/" + name;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul < 0 ? field : field[..nul]);
    }

    private static string Printable(string name)
    {
        if (name.Length > 256) name = name[..256] + "...";
        return string.Create(name.Length, name, (span, n) =>
        {
            for (int i = 0; i < n.Length; i++) span[i] = char.IsControl(n[i]) ? '?' : n[i];
        });
    }

    /// <summary>PAX records, "LEN KEY=VALUE\n" with LEN counting the whole record in bytes. Only "size" and
    /// SCHILY.xattr.* are taken; anything malformed ends the parse (TarReader then refuses the header itself).</summary>
    private void ParsePax(Span<byte> records)
    {
        while (!records.IsEmpty)
        {
            int space = records.IndexOf((byte)' ');
            if (space <= 0 || space > 8) return;
            int length = 0;
            foreach (byte b in records[..space])
            {
                if (b is < (byte)'0' or > (byte)'9') return;
                length = length * 10 + (b - '0');
            }
            if (length <= space + 2 || length > records.Length || records[length - 1] != '\n') return;
            var record = records[(space + 1)..(length - 1)];
            records = records[length..];
            int eq = record.IndexOf((byte)'=');
            if (eq <= 0) return;
            var key = record[..eq];
            var value = record[(eq + 1)..];
            if (key.SequenceEqual("path"u8))
            {
                _pendingPath = Encoding.UTF8.GetString(value);
            }
            else if (key.SequenceEqual("size"u8))
            {
                if (long.TryParse(Encoding.ASCII.GetString(value), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long size))
                    _pendingSize = size;
            }
            else if (key.StartsWith("SCHILY.xattr."u8) && key.Length > SchilyXattr.Length)
            {
                string name = Encoding.UTF8.GetString(key[SchilyXattr.Length..]);
                (_pendingXattrs ??= []).RemoveAll(x => x.Key == name);
                _pendingXattrs.Add(new(name, value.ToArray()));
                // TarReader splits records at '\n' and decodes values as UTF-8: a binary value would make it refuse
                // the header or garble the value. It gets a same-length placeholder; the raw bytes are used.
                if (value.Contains((byte)'\n') || !System.Text.Unicode.Utf8.IsValid(value)) value.Fill((byte)'?');
            }
        }
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

/// <summary>Where a layer tar ended before it was complete.</summary>
internal enum TarTruncation { Data, MetadataData, Header }

/// <summary>The layer tar ended inside an entry's data or a header; <see cref="Missing"/> bytes of it never came.</summary>
internal sealed class TarTruncatedException : Exception
{
    public TarTruncatedException() { }
    public TarTruncatedException(string message) : base(message) { }
    public TarTruncatedException(string message, Exception inner) : base(message, inner) { }
    public TarTruncatedException(TarTruncation where, long missing) : base($"the layer tar ends early ({where}, {missing} bytes missing)")
    {
        Where = where;
        Missing = missing;
    }

    public TarTruncation Where { get; }
    public long Missing { get; }
}

/// <summary>A metadata entry ('x', 'g', 'L', 'K') declares more than <see cref="TarMetadataGuard.MaxMetadataSize"/> bytes.</summary>
internal sealed class TarMetadataTooLargeException : Exception
{
    public TarMetadataTooLargeException() { }
    public TarMetadataTooLargeException(string message) : base(message) { }
    public TarMetadataTooLargeException(string message, Exception inner) : base(message, inner) { }
    public TarMetadataTooLargeException(char type, long size) : base($"a '{type}' metadata entry of {size} bytes")
    {
        Type = type;
        Size = size;
    }

    public char Type { get; }
    public long Size { get; }
}
