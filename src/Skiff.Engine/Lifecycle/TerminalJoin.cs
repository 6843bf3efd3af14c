using Skiff.Interop;

namespace Skiff.Engine.Lifecycle;

/// <summary>
/// A container terminal's master joined to our stdio: our terminal in raw mode with its size passed on (now and on
/// SIGWINCH), stdin copied to the master on a thread of its own, the master copied to stdout until it closes.
/// </summary>
public sealed class TerminalJoin(SafeFd master) : IDisposable
{
    private RawTerminal? _terminal;

    public void Run()
    {
        _terminal = RawTerminal.Enter((rows, columns) => Libc.SetWindowSize(master.Fd, rows, columns));
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

    public void Dispose()
    {
        _terminal?.Dispose();
        // The master stays open while the input thread may still write to it (the process exits soon after).
        master.SetHandleAsInvalid();
    }
}
