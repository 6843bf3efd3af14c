using System.Security.Cryptography;
using Skiff.Oci;

namespace Skiff.Images.Archives;

/// <summary>A read-only pass-through that hashes what is read (sha256 or sha512, per the digest it is checked against).</summary>
internal sealed class DigestingStream(Stream inner, string algorithm) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    /// <summary>The digest of everything read so far (call once, at the end).</summary>
    public Digest Finish()
    {
        string hex = Convert.ToHexStringLower(_hash.GetHashAndReset());
        return Digest.Parse($"{(algorithm == "sha512" ? "sha512" : "sha256")}:{hex}");
    }

    /// <summary>Reads the rest and returns the digest of the whole.</summary>
    public Digest Drain()
    {
        CopyTo(Null);
        return Finish();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
