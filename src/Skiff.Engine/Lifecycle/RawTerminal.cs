using System.Runtime.InteropServices;
using Skiff.Interop;

namespace Skiff.Engine.Lifecycle;

/// <summary>
/// Our terminal (stdin, when it is one) in raw mode while joined to a container's, its size handed to
/// <paramref name="resize"/> now and on every SIGWINCH; restored on Dispose. Nothing happens when stdin is no terminal.
/// </summary>
public sealed class RawTerminal : IDisposable
{
    private readonly Action<ushort, ushort> _resize;
    private readonly byte[]? _saved;
    private readonly PosixSignalRegistration? _winch;

    private RawTerminal(Action<ushort, ushort> resize)
    {
        _resize = resize;
        if (Libc.IsATty(0) != 1) return;
        CopySize();
        _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopySize());
        try { _saved = Libc.MakeRaw(0); }
        catch (ErrnoException) { /* not a usable terminal after all: bytes pass as they come */ }
    }

    public static RawTerminal Enter(Action<ushort, ushort> resize) => new(resize);

    private void CopySize()
    {
        try
        {
            var (rows, columns) = Libc.GetWindowSize(0);
            if (rows > 0 && columns > 0) _resize(rows, columns);
        }
        catch (ErrnoException) { }
    }

    public void Dispose()
    {
        _winch?.Dispose();
        if (_saved is not null) Libc.RestoreTerminal(0, _saved);
    }
}
