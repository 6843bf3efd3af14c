using System.Runtime.InteropServices;
using Skiff.Interop;

namespace Skiff.Engine.Lifecycle;

/// <summary>
/// A container terminal's master joined to our stdio: our terminal in raw mode with its size passed on (now and on
/// SIGWINCH), stdin copied to the master on a thread of its own, the master copied to stdout until it closes.
/// </summary>
public sealed class TerminalJoin(SafeFd master) : IDisposable
{
    private byte[]? _saved;
    private PosixSignalRegistration? _winch;

    public void Run()
    {
        if (Libc.IsATty(0) == 1)
        {
            CopySize();
            _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopySize());
            try { _saved = Libc.MakeRaw(0); }
            catch (ErrnoException) { }
        }
        int fd = master.Fd;
        var input = new Thread(() =>
        {
            try { Libc.CopyAll(0, fd); }
            catch (ErrnoException) { }
        }) { IsBackground = true, Name = "skiff-terminal-input" };
        input.Start();
        try { Libc.CopyAll(fd, 1); }
        catch (ErrnoException) { /* EIO: the container's side is closed */ }
    }

    private void CopySize()
    {
        try
        {
            var (rows, columns) = Libc.GetWindowSize(0);
            if (rows > 0 && columns > 0) Libc.SetWindowSize(master.Fd, rows, columns);
        }
        catch (ErrnoException) { }
    }

    public void Dispose()
    {
        _winch?.Dispose();
        if (_saved is not null) Libc.RestoreTerminal(0, _saved);
        // The master stays open while the input thread may still write to it (the process exits soon after).
        master.SetHandleAsInvalid();
    }
}
