namespace Skiff.Images.Distribution;

/// <summary>
/// A read-only pass-through that fails a read which brings no bytes for <see cref="IdleTimeout"/>: a registry that
/// stops sending in the middle of a body is caught, while a large body on a slow link (bytes keep coming) is not limited.
/// </summary>
public sealed class IdleTimeoutStream : Stream
{
    private readonly Stream _inner;
    private readonly string _what;
    private long _read;

    /// <param name="what">What is being read, for the error ("blob sha256:... from host:port").</param>
    public IdleTimeoutStream(Stream inner, TimeSpan idleTimeout, string what)
    {
        _inner = inner;
        IdleTimeout = idleTimeout;
        _what = what;
    }

    public TimeSpan IdleTimeout { get; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        byte[] rented = new byte[buffer.Length];
        int n = ReadAsync(rented.AsMemory(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(IdleTimeout);
        try
        {
            int n = await _inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
            _read += n;
            return n;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryTimeoutException(
                $"{_what}: no data for {GoDuration.Format(IdleTimeout)} after {_read} bytes (the registry stalled)", e);
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _inner.DisposeAsync();
    }
}
