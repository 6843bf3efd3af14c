using System.Buffers.Binary;
using Skiff.Interop;

namespace Skiff.Engine.Lifecycle;

/// <summary>
/// A connection to a container's monitor (its attach socket): the container's output as it comes, stdin and
/// terminal sizes to it, and finally its exit code. The protocol is skiff-monitor's AttachProtocol.
/// </summary>
public sealed class AttachSession : IDisposable
{
    private const byte Stdin = 0, Resize = 1, CloseStdin = 2, Stdout = 1, Stderr = 2, Exit = 3;
    private const int MaxPacket = 8 * 1024 + 1; // skiff-monitor's AttachProtocol.MaxPacket
    private readonly SafeFd _socket;
    private readonly (SafeFd Read, SafeFd Write) _wake = Libc.Pipe2();
    private readonly Lock _sendLock = new();
    private volatile bool _detached;

    private AttachSession(SafeFd socket) => _socket = socket;

    public static AttachSession Connect(string socketPath)
    {
        try { return new AttachSession(Libc.ConnectUnix(socketPath, Libc.SOCK_SEQPACKET)); }
        catch (Exception e) when (e is ErrnoException or IOException)
        {
            throw new EngineException($"attaching to the container's monitor at {socketPath}: {ErrorText.Of(e)}");
        }
    }

    public void SendStdin(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var chunk = data[..Math.Min(data.Length, MaxPacket - 1)];
            Span<byte> packet = new byte[chunk.Length + 1];
            packet[0] = Stdin;
            chunk.CopyTo(packet[1..]);
            Send(packet);
            data = data[chunk.Length..];
        }
    }

    public void SendEndOfStdin() => Send([CloseStdin]);

    public void SendResize(ushort rows, ushort columns)
    {
        Span<byte> packet = stackalloc byte[5];
        packet[0] = Resize;
        BinaryPrimitives.WriteUInt16LittleEndian(packet[1..], rows);
        BinaryPrimitives.WriteUInt16LittleEndian(packet[3..], columns);
        Send(packet);
    }

    private void Send(ReadOnlySpan<byte> packet)
    {
        lock (_sendLock)
        {
            try { Libc.SendWithFds(_socket.Fd, packet, []); }
            catch (ErrnoException) { /* the monitor is gone: the output side ends too */ }
        }
    }

    /// <summary>Ends <see cref="Pump"/> early, leaving the container running (the detach keys).</summary>
    public void Detach()
    {
        _detached = true;
        try { Libc.WriteAll(_wake.Write.Fd, [1]); }
        catch (ErrnoException) { }
    }

    public bool Detached => _detached;

    /// <summary>
    /// Writes the container's stdout and stderr to <paramref name="stdoutFd"/> and <paramref name="stderrFd"/> until
    /// it exits; returns its exit code, or null when the connection ended first (the monitor was killed) or on detach.
    /// </summary>
    public int? Pump(int stdoutFd, int stderrFd)
    {
        var buffer = new byte[MaxPacket];
        Span<Libc.PollEntry> entries = stackalloc Libc.PollEntry[2];
        while (!_detached)
        {
            entries[0] = new Libc.PollEntry { Fd = _socket.Fd, Events = Libc.POLLIN };
            entries[1] = new Libc.PollEntry { Fd = _wake.Read.Fd, Events = Libc.POLLIN };
            Libc.Poll(entries, -1);
            if (_detached) return null;
            if (entries[0].Revents == 0) continue;
            int n;
            var fds = new List<SafeFd>();
            try { n = Libc.ReceiveWithFds(_socket.Fd, buffer, fds); }
            catch (Exception e) when (e is ErrnoException or IOException) { return null; }
            foreach (var f in fds) f.Dispose();
            if (n == 0) return null;
            switch (buffer[0])
            {
                case Stdout or Stderr:
                    try { Libc.WriteAll(buffer[0] == Stdout ? stdoutFd : stderrFd, buffer.AsSpan(1, n - 1)); }
                    catch (ErrnoException) { /* our own output is closed: keep draining */ }
                    break;
                case Exit when n >= 5:
                    return BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(1));
            }
        }
        return null;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _wake.Read.Dispose();
        _wake.Write.Dispose();
    }
}
