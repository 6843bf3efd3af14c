using System.Net.Sockets;

namespace Skiff.Interop;

/// <summary>
/// An exception's message as a sentence a user can act on. NativeAOT binaries built with UseSystemResourceKeys get
/// .NET's resource keys instead of its messages ("IO_EOF_ReadBeyondEOF", "net_frame_read_size"): those are turned
/// into words from the exception's type (and, for sockets, its error code).
/// </summary>
public static class ErrorText
{
    public static string Of(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!IsResourceKey(e.Message)) return e.Message;
        string words = e switch
        {
            EndOfStreamException => "the data ended before it was complete (unexpected end of file)",
            SocketException s => $"network error: {Describe(s.SocketErrorCode)}",
            TimeoutException => "the operation timed out",
            OperationCanceledException => "the operation was cancelled",
            InvalidDataException => "the data is malformed",
            UnauthorizedAccessException => "permission denied",
            FileNotFoundException f => $"{f.FileName ?? "the file"}: no such file",
            DirectoryNotFoundException => "no such directory",
            PathTooLongException => "the path is too long",
            System.Text.Json.JsonException => "the JSON is malformed",
            FormatException => "the data is not in the expected format",
            OutOfMemoryException => "out of memory",
            IOException => "input/output error",
            _ => "an internal error",
        };
        // An inner exception often says more (a socket error under an HTTP failure).
        if (e.InnerException is { } inner && !ReferenceEquals(inner, e)) words += ": " + Of(inner);
        return $"{words} ({e.Message})";
    }

    /// <summary>
    /// True for a resource key: one word of letters, digits and underscores with an underscore or in PascalCase
    /// ("IO_EOF_ReadBeyondEOF", "TarInvalidNumber"; an all-capitals word such as podman's "EOF" is a message), alone or followed by its format arguments as NativeAOT's
    /// UseSystemResourceKeys joins them ("TarInvalidNumber, " for a message that had one empty argument).
    /// </summary>
    public static bool IsResourceKey(string message)
    {
        int comma = message.IndexOf(", ", StringComparison.Ordinal);
        string key = comma < 0 ? message : message[..comma];
        return key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            && (key.Contains('_', StringComparison.Ordinal) || (key.Skip(1).Any(char.IsAsciiLetterUpper) && key.Any(char.IsAsciiLetterLower)));
    }

    private static string Describe(SocketError code) => code switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset by peer",
        SocketError.TimedOut => "connection timed out",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostUnreachable => "host unreachable",
        _ => code.ToString(),
    };
}
