using System.Security.Cryptography;
using Skiff.Oci;
using Skiff.Storage;

namespace Skiff.Images.Distribution;

/// <summary>A read-only stream that hashes what passes through it and, at its end, throws
/// <see cref="DigestMismatchException"/> naming the expected digest when the bytes or their count are wrong.
/// It also refuses to read more than the expected size (when known), so a hostile server cannot fill the disk.</summary>
public sealed class DigestVerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly Digest _expected;
    private readonly long _expectedSize;
    private readonly IncrementalHash _hash;
    private long _read;
    private bool _verified;

    public DigestVerifyingStream(Stream inner, Digest expected, long expectedSize)
    {
        if (expected.Algorithm != "sha256" && expected.Algorithm != "sha512")
            throw new ArgumentException($"unsupported digest {expected}", nameof(expected));
        _inner = inner;
        _expected = expected;
        _expectedSize = expectedSize;
        _hash = IncrementalHash.CreateHash(expected.Algorithm == "sha256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _expectedSize >= 0 ? _expectedSize : throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        return Account(buffer[..n]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            Verify();
            return 0;
        }
        _read += data.Length;
        if (_expectedSize >= 0 && _read > _expectedSize)
            throw new DigestMismatchException($"blob {_expected}: more data than its size {_expectedSize}");
        _hash.AppendData(data);
        return data.Length;
    }

    private void Verify()
    {
        if (_verified) return;
        _verified = true;
        if (_expectedSize >= 0 && _read != _expectedSize)
            throw new DigestMismatchException($"blob {_expected}: got {_read} bytes, expected {_expectedSize}");
        Span<byte> hash = stackalloc byte[64];
        int len = _hash.GetHashAndReset(hash);
        string hex = Convert.ToHexStringLower(hash[..len]);
        if (hex != _expected.Hex)
            throw new DigestMismatchException(_expected.ToString(), $"{_expected.Algorithm}:{hex}");
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
