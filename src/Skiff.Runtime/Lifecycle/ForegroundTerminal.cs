using Skiff.Interop;

namespace Skiff.Runtime.Lifecycle;

/// <summary>
/// `run` of a process.terminal container without --console-socket, as runc does it: the runtime keeps the pty
/// master and joins it to its own stdin and stdout (its terminal in raw mode, with its size, when stdin is
/// one) until the container's terminal closes.
/// </summary>
public sealed class ForegroundTerminal : IDisposable
{
    private SafeFd? _master;
    private bool _copyingInput;

    /// <summary>
    /// What create calls with the master (<see cref="Options.CreateOptions.ConsoleReceiver"/>). The terminal gets
    /// stdin's size here, before start: a container that asks for its size first thing must not find 0x0.
    /// </summary>
    public void Receive(SafeFd master)
    {
        ArgumentNullException.ThrowIfNull(master);
        _master?.Dispose();
        _master = master;
        if (Libc.IsATty(0) != 1) return;
        try
        {
            var (rows, columns) = Libc.GetWindowSize(0);
            if (rows > 0 && columns > 0) Libc.SetWindowSize(master.Fd, rows, columns);
        }
        catch (ErrnoException) { /* not a usable terminal after all: the container keeps process.consoleSize */ }
    }

    /// <summary>
    /// Copies stdin to the container's terminal (on a thread of its own) and the terminal to stdout until the
    /// container's side closes (EIO once no process holds it); then waits for the init. Does nothing but wait
    /// when no terminal was received (process.terminal false).
    /// </summary>
    public int Join(Func<int> waitForExit)
    {
        ArgumentNullException.ThrowIfNull(waitForExit);
        if (_master is null) return waitForExit();
        byte[]? saved = null;
        if (Libc.IsATty(0) == 1)
        {
            try { saved = Libc.MakeRaw(0); }
            catch (ErrnoException) { /* not a usable terminal after all: copy bytes as they come */ }
        }
        try
        {
            int master = _master.Fd;
            var input = new Thread(() => Copy(0, master)) { IsBackground = true, Name = "skiff-terminal-input" };
            input.Start();
            _copyingInput = true;
            Copy(master, 1);
            return waitForExit();
        }
        finally
        {
            if (saved is not null) Libc.RestoreTerminal(0, saved);
        }
    }

    /// <summary>Copies until end of file or an error (EIO: the terminal's other side is closed; EPIPE: nobody reads).</summary>
    private static void Copy(int from, int to)
    {
        try { Libc.CopyAll(from, to); }
        catch (ErrnoException) { }
    }

    /// <summary>
    /// Closes the master unless the input thread may still write to it (it blocks in read(0) until the process
    /// ends): a closed fd number could be reused by a file opened meanwhile and receive the keystrokes.
    /// </summary>
    public void Dispose()
    {
        if (_copyingInput) _master?.SetHandleAsInvalid(); // left open until the process exits, finalizer included
        else _master?.Dispose();
    }
}
