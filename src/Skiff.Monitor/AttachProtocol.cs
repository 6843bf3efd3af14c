namespace Skiff.Monitor;

/// <summary>
/// The attach socket (SOCK_SEQPACKET, one message per packet, first byte the kind). From a client: stdin data,
/// a terminal resize (rows, columns: two little-endian ushorts) or the end of stdin. To clients: the container's
/// stdout or stderr, and finally its exit code (a little-endian int).
/// </summary>
public static class AttachProtocol
{
    public const byte Stdin = 0, Resize = 1, CloseStdin = 2;
    public const byte Stdout = 1, Stderr = 2, Exit = 3;
    /// <summary>The largest packet either side sends.</summary>
    public const int MaxPacket = 8 * 1024 + 1;
}
