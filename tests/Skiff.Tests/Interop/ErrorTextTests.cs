using System.Net.Sockets;
using Skiff.Interop;

namespace Skiff.Tests.Interop;

/// <summary>NativeAOT's resource keys never reach the user: each becomes words from the exception's type.</summary>
public sealed class ErrorTextTests
{
    [Fact]
    public void A_sentence_is_kept_as_it_is() =>
        Assert.Equal("layer tar is malformed: entry x is short", ErrorText.Of(new IOException("layer tar is malformed: entry x is short")));

    [Fact]
    public void Resource_keys_become_words_with_the_key_kept_for_reports()
    {
        Assert.Equal("the data ended before it was complete (unexpected end of file) (IO_EOF_ReadBeyondEOF)",
            ErrorText.Of(new EndOfStreamException("IO_EOF_ReadBeyondEOF")));
        Assert.Equal("the operation was cancelled (TaskCanceledException_ctor_DefaultMessage)",
            ErrorText.Of(new TaskCanceledException("TaskCanceledException_ctor_DefaultMessage")));
        Assert.Equal("input/output error: network error: connection reset by peer (net_io_connectionclosed) (net_frame_read_size)",
            ErrorText.Of(new IOException("net_frame_read_size", new SocketException((int)SocketError.ConnectionReset) is var s ? new WrappedSocket(s) : null)));
    }

    [Theory]
    [InlineData("IO_EOF_ReadBeyondEOF", true)]
    [InlineData("net_frame_read_size", true)]
    [InlineData("TarInvalidNumber, ", true)] // a key with its (empty) format argument, as skiff load of a non-tar printed it
    [InlineData("TarInvalidNumber", true)]
    [InlineData("Timeout", false)]
    [InlineData("EOF", false)] // podman's own message for a prompt that got no answer
    [InlineData("plain, with a comma", false)]
    [InlineData("no such file", false)]
    [InlineData("plain", false)]
    [InlineData("", false)]
    public void Keys_are_recognised(string message, bool isKey) => Assert.Equal(isKey, ErrorText.IsResourceKey(message));

    /// <summary>A socket error whose message is a key too, as NativeAOT gives it.</summary>
    private sealed class WrappedSocket(SocketException inner) : SocketException((int)inner.SocketErrorCode)
    {
        public override string Message => "net_io_connectionclosed";
    }
}
