using System.Net.Sockets;
using System.Text;
using Skiff.Interop;

namespace Skiff.EndToEnd.Harness;

/// <summary>
/// The other end of --console-socket, as conmon is: listens on a unix socket, receives the pty master the
/// runtime sends (SCM_RIGHTS), then collects what the container writes to its terminal.
/// </summary>
public sealed class ConsoleReceiver : IDisposable
{
    private readonly Socket _listener;
    private readonly Task<SafeFd> _master;
    private readonly StringBuilder _output = new();
    private Task? _reader;

    public string Path { get; }

    public ConsoleReceiver(string dir)
    {
        Path = System.IO.Path.Combine(dir, "console.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen(1);
        _master = Task.Run(() =>
        {
            using var connection = _listener.Accept();
            var fds = new List<SafeFd>();
            Libc.ReceiveWithFds((int)connection.Handle, new byte[256], fds);
            if (fds.Count != 1) throw new InvalidOperationException($"the runtime sent {fds.Count} fds on the console socket");
            return fds[0];
        });
    }

    /// <summary>The master, once received (fails the test after the timeout).</summary>
    public SafeFd Master(int timeoutSeconds = 20) =>
        _master.Wait(TimeSpan.FromSeconds(timeoutSeconds)) ? _master.Result : throw new TimeoutException("no pty master arrived on the console socket");

    /// <summary>Starts copying the terminal's output; <see cref="Output"/> returns it once the container closed its side.</summary>
    public void StartReading()
    {
        var master = Master();
        _reader = Task.Run(() =>
        {
            var buffer = new byte[4096];
            while (true)
            {
                int n;
                try { n = Libc.Read(master.Fd, buffer); }
                catch (ErrnoException) { break; } // EIO: every slave fd is closed
                if (n == 0) break;
                lock (_output) _output.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
        });
    }

    public string Output(int timeoutSeconds = 20)
    {
        _reader?.Wait(TimeSpan.FromSeconds(timeoutSeconds));
        lock (_output) return _output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _listener.Dispose();
        if (_master.IsCompletedSuccessfully) _master.Result.Dispose();
    }
}
