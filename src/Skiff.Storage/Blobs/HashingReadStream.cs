using System.Security.Cryptography;

namespace Skiff.Storage.Blobs;

/// <summary>A read-only pass-through that hashes and counts what is read, and refuses to read more than
/// <see cref="Limit"/> bytes (a decompression bomb stops here).</summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash;
    private readonly string _what;
    private readonly Space.FreeSpaceGuard? _space;

    /// <param name="space">When given, counts what is read as written to the store (an unpacked layer is about
    /// as large as its tar) and stops before the store's file system is full.</param>
    public HashingReadStream(Stream inner, IncrementalHash hash, long limit, string what, Space.FreeSpaceGuard? space = null)
    {
        _inner = inner;
        _hash = hash;
        Limit = limit;
        _what = what;
        _space = space;
    }

    public long Limit { get; }
    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        if (n > 0)
        {
            BytesRead += n;
            if (BytesRead > Limit)
                throw new InvalidDataException($"{_what}: uncompressed content larger than the limit of {Limit} bytes");
            _hash.AppendData(buffer[..n]);
            _space?.Wrote(n, _what);
        }
        return n;
    }

    /// <summary>Reads (and hashes) whatever the consumer left unread, e.g. the tar's trailing padding.</summary>
    public void Drain()
    {
        var buf = new byte[81920];
        while (Read(buf, 0, buf.Length) > 0) { }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
