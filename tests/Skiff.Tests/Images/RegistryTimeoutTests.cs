using System.Diagnostics;
using Skiff.Images.Distribution;

namespace Skiff.Tests.Images;

/// <summary>The idle timeout (no bytes for a while, not a limit on the whole body) and Go durations.</summary>
public sealed class RegistryTimeoutTests
{
    /// <summary>Gives <paramref name="chunks"/> bytes, each after <paramref name="pause"/>, then never answers again.</summary>
    private sealed class SlowStream(int chunks, TimeSpan pause) : Stream
    {
        private int _given;
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(_given < chunks ? pause : Timeout.InfiniteTimeSpan, cancellationToken);
            _given++;
            buffer.Span[0] = 1;
            return 1;
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
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

    [Fact]
    public async Task A_slow_body_whose_bytes_keep_coming_is_not_cut_but_a_silent_one_is()
    {
        // 8 bytes 100 ms apart: 800 ms in all, longer than the 300 ms idle timeout, yet never 300 ms silent.
        await using var stream = new IdleTimeoutStream(new SlowStream(8, TimeSpan.FromMilliseconds(100)), TimeSpan.FromMilliseconds(300), "blob sha256:abc from example.com/x");
        var buffer = new byte[1];
        for (int i = 0; i < 8; i++) Assert.Equal(1, await stream.ReadAsync(buffer));
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<RegistryTimeoutException>(() => stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal("blob sha256:abc from example.com/x: no data for 300ms after 8 bytes (the registry stalled)", e.Message);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task The_callers_own_cancellation_is_not_a_timeout()
    {
        await using var stream = new IdleTimeoutStream(new SlowStream(0, TimeSpan.Zero), TimeSpan.FromSeconds(30), "x");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[1], cts.Token).AsTask());
    }

    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("100ms", 100)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m30s", 150000)]
    [InlineData("0", 0)]
    public void Go_durations_parse(string text, int milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("foobar")]
    [InlineData("10")]
    [InlineData("-1s")]
    [InlineData("")]
    public void Other_durations_are_podmans_error(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
        Assert.Equal($"time: invalid duration \"{text}\"", Assert.Throws<FormatException>(() => GoDuration.Parse(text)).Message);
    }

    [Theory]
    [InlineData(1000, "1s")]
    [InlineData(100, "100ms")]
    [InlineData(150000, "2m30s")]
    [InlineData(4000, "4s")]
    public void Go_durations_format(int milliseconds, string expected) => Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
