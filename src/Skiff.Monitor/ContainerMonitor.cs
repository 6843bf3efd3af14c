using System.Buffers.Binary;
using System.Globalization;
using Skiff.Interop;

namespace Skiff.Monitor;

/// <summary>The container's stdio, log and attach clients, from `runtime create` until the init's exit.</summary>
public sealed class ContainerMonitor : IDisposable
{
    private readonly MonitorOptions _options;
    private readonly KubeLogWriter _log;
    private readonly SafeFd _listener;
    private readonly List<SafeFd> _clients = [];
    private SafeFd? _output;      // the pty master, or the stdout pipe
    private SafeFd? _errors;      // the stderr pipe (no terminal)
    private SafeFd? _input;       // the stdin pipe's write end (--stdin), or the master again
    private SafeFd? _pidfd;
    private int _pid;
    // Allocated at first use and no bigger than a pipe read needs: one monitor runs beside every container.
    private byte[]? _bufferStore;
    private byte[] Buffer => _bufferStore ??= new byte[AttachProtocol.MaxPacket];

    private ContainerMonitor(MonitorOptions options, KubeLogWriter log, SafeFd listener)
    {
        _options = options;
        _log = log;
        _listener = listener;
    }

    /// <summary>Runs `runtime create` with the container's stdio; null (after reporting why on the sync pipe) when it failed.</summary>
    public static ContainerMonitor? Create(MonitorOptions o, SafeFd sync)
    {
        Libc.BecomeSubreaper();
        TryUnlink(o.AttachSocket);
        var monitor = new ContainerMonitor(o, new KubeLogWriter(o.LogPath, o.LogMaxSize), Libc.ListenUnix(o.AttachSocket, Libc.SOCK_SEQPACKET));
        try
        {
            if (!monitor.CreateContainer(sync))
            {
                monitor.Dispose();
                return null;
            }
            return monitor;
        }
        catch
        {
            monitor.Dispose();
            throw;
        }
    }

    private bool CreateContainer(SafeFd sync)
    {
        var o = _options;
        string consoleSocket = o.AttachSocket + ".console";
        using var devNull = Libc.OpenFd("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
        SafeFd? console = null, stdinRead = null, stdoutWrite = null, stderrWrite = null;
        try
        {
            var argv = new List<string> { o.Runtime, "--root", o.RuntimeRoot };
            if (o.RuntimeLog is { } runtimeLog) argv.AddRange(["--log", runtimeLog, "--log-format", "json"]);
            argv.AddRange(["create", "--bundle", o.Bundle, "--pid-file", o.PidFile]);
            int[] stdio;
            if (o.Terminal)
            {
                TryUnlink(consoleSocket);
                console = Libc.ListenUnix(consoleSocket, Libc.SOCK_STREAM, 1);
                argv.AddRange(["--console-socket", consoleSocket]);
                stdio = [devNull.Fd, devNull.Fd, devNull.Fd];
            }
            else
            {
                if (o.Stdin) (stdinRead, _input) = Libc.Pipe2();
                (_output, stdoutWrite) = Libc.Pipe2();
                (_errors, stderrWrite) = Libc.Pipe2();
                stdio = [stdinRead?.Fd ?? devNull.Fd, stdoutWrite.Fd, stderrWrite.Fd];
            }
            argv.Add(o.Id);
            int rc;
            using (var runtime = CloneChild.Start(new CloneStartInfo
            {
                Path = o.Runtime, Args = argv, Env = Libc.EnvironmentLines(), StdioFds = stdio, ParentDeathSignal = 0,
            }))
            {
                runtime.Release();
                if (runtime.LaunchError is { } launch) throw new IOException($"cannot run the OCI runtime {o.Runtime}: {launch.Message}");
                rc = runtime.WaitForExit();
            }
            stdinRead?.Dispose();
            stdoutWrite?.Dispose();
            stderrWrite?.Dispose();
            if (rc != 0)
            {
                Program.Report(sync, $"error {rc.ToString(CultureInfo.InvariantCulture)}");
                return false;
            }
            _pid = int.Parse(File.ReadAllText(o.PidFile).Trim(), CultureInfo.InvariantCulture);
            _pidfd = Libc.PidfdOpen(_pid);
            if (console is not null)
            {
                using var connection = Libc.Accept(console.Fd) ?? throw new IOException("the runtime did not send the terminal");
                var fds = new List<SafeFd>();
                Libc.ReceiveWithFds(connection.Fd, new byte[256], fds);
                if (fds.Count != 1) throw new IOException("the runtime did not send the terminal");
                _output = fds[0];
                _input = new SafeFd(Libc.Check(Libc.Dup(_output.Fd), "dup of the terminal"));
            }
            Program.Report(sync, $"ok {_pid.ToString(CultureInfo.InvariantCulture)}");
            return true;
        }
        finally
        {
            console?.Dispose();
            if (console is not null) TryUnlink(consoleSocket);
        }
    }

    /// <summary>Serves until the container's init exits and its output is drained; writes the exit file; returns the exit code.</summary>
    public int Run()
    {
        foreach (var fd in new[] { _output, _errors, _listener })
            if (fd is not null) Libc.SetNonBlocking(fd.Fd);
        var entries = new List<Libc.PollEntry>();
        // One monitor lives beside every container: what start-up allocated and no longer uses goes back to the
        // kernel now (managed and C heaps), before the long wait.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Libc.MallocTrim(0);
        int exitCode = -1;
        while (true)
        {
            entries.Clear();
            Add(entries, _pidfd);
            Add(entries, _output);
            Add(entries, _errors);
            Add(entries, _listener);
            foreach (var c in _clients) Add(entries, c);
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries);
            Libc.Poll(span, -1);
            // Clients first: one that connected before `runtime start` must see the container's first byte.
            AcceptClients();
            bool exited = false;
            foreach (var e in span)
            {
                if (e.Revents == 0 || e.Fd == _listener.Fd) continue;
                if (_pidfd is not null && e.Fd == _pidfd.Fd) exited = true;
                else if (_output is not null && e.Fd == _output.Fd) Pump(ref _output, AttachProtocol.Stdout);
                else if (_errors is not null && e.Fd == _errors.Fd) Pump(ref _errors, AttachProtocol.Stderr);
                else ServeClient(e.Fd);
            }
            if (exited)
            {
                exitCode = Reap();
                Drain();
                break;
            }
        }
        WriteExitFile(exitCode);
        Span<byte> message = stackalloc byte[5];
        message[0] = AttachProtocol.Exit;
        BinaryPrimitives.WriteInt32LittleEndian(message[1..], exitCode);
        foreach (var c in _clients.ToArray()) Send(c, message);
        return exitCode;
    }

    private static void Add(List<Libc.PollEntry> entries, SafeFd? fd)
    {
        if (fd is not null) entries.Add(new Libc.PollEntry { Fd = fd.Fd, Events = Libc.POLLIN });
    }

    /// <summary>Reads what is there into the log and to the clients; at end of file (or EIO: the pty's last holder is gone) closes it.</summary>
    private void Pump(ref SafeFd? fd, byte kind)
    {
        if (fd is null) return;
        int n;
        try { n = Libc.ReadAvailable(fd.Fd, Buffer.AsSpan(1)); }
        catch (ErrnoException) { n = 0; }
        if (n < 0) return;
        if (n == 0)
        {
            if (ReferenceEquals(fd, _output) && _options.Terminal) { _input?.Dispose(); _input = null; }
            fd.Dispose();
            fd = null;
            return;
        }
        _log.Write(kind == AttachProtocol.Stderr ? "stderr" : "stdout", Buffer.AsSpan(1, n));
        Buffer[0] = kind;
        foreach (var c in _clients.ToArray()) Send(c, Buffer.AsSpan(0, n + 1));
    }

    /// <summary>After the init's exit: what is still buffered in the pipes or the pty, for at most a second.</summary>
    private void Drain()
    {
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while ((_output is not null || _errors is not null) && DateTime.UtcNow < deadline)
        {
            var entries = new List<Libc.PollEntry>();
            Add(entries, _output);
            Add(entries, _errors);
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries);
            if (Libc.Poll(span, 100) == 0) break;
            foreach (var e in span)
            {
                if (e.Revents == 0) continue;
                if (_output is not null && e.Fd == _output.Fd) Pump(ref _output, AttachProtocol.Stdout);
                else if (_errors is not null && e.Fd == _errors.Fd) Pump(ref _errors, AttachProtocol.Stderr);
            }
        }
    }

    private int Reap()
    {
        int code = -1;
        try
        {
            if (Libc.WaitPid(_pid, out int status) == _pid) code = ProcessExit.Decode(status);
            while (Libc.WaitPid(-1, out _, Libc.WNOHANG) > 0) { } // anything else reparented to us
        }
        catch (ErrnoException e) when (e.Errno == Errno.ECHILD) { /* not (or no longer) our child: nothing more to reap */ }
        return code;
    }

    private void AcceptClients()
    {
        while (Libc.Accept(_listener.Fd) is { } client) _clients.Add(client);
    }

    private void ServeClient(int fd)
    {
        var client = _clients.Find(c => c.Fd == fd);
        if (client is null) return;
        int n;
        var fds = new List<SafeFd>();
        try { n = Libc.ReceiveWithFds(fd, Buffer, fds); }
        catch (Exception e) when (e is ErrnoException or IOException) { n = 0; }
        foreach (var f in fds) f.Dispose();
        if (n == 0)
        {
            _clients.Remove(client);
            client.Dispose();
            return;
        }
        switch (Buffer[0])
        {
            case AttachProtocol.Stdin when _input is not null:
                try { Libc.WriteAll(_input.Fd, Buffer.AsSpan(1, n - 1)); }
                catch (ErrnoException) { _input.Dispose(); _input = null; }
                break;
            case AttachProtocol.Resize when _options.Terminal && _output is not null && n >= 5:
                try { Libc.SetWindowSize(_output.Fd, BinaryPrimitives.ReadUInt16LittleEndian(Buffer.AsSpan(1)), BinaryPrimitives.ReadUInt16LittleEndian(Buffer.AsSpan(3))); }
                catch (ErrnoException) { }
                break;
            case AttachProtocol.CloseStdin when !_options.Terminal:
                _input?.Dispose();
                _input = null;
                break;
        }
    }

    private void Send(SafeFd client, ReadOnlySpan<byte> message)
    {
        try { Libc.SendWithFds(client.Fd, message, []); }
        catch (ErrnoException)
        {
            _clients.Remove(client);
            client.Dispose();
        }
    }

    /// <summary>The exit code, written to a temporary file and renamed: a reader never sees half of it.</summary>
    private void WriteExitFile(int code)
    {
        string temp = _options.ExitFile + ".tmp";
        File.WriteAllText(temp, code.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, _options.ExitFile, overwrite: true);
    }

    /// <summary>Starts the exit command (the engine's cleanup) and leaves it running: it outlives this monitor.</summary>
    public void RunExitCommand()
    {
        if (_options.ExitCommand.Count == 0) return;
        try
        {
            using var devNull = Libc.OpenFd("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
            using var child = CloneChild.Start(new CloneStartInfo
            {
                Path = _options.ExitCommand[0], Args = _options.ExitCommand, Env = Libc.EnvironmentLines(),
                StdioFds = [devNull.Fd, devNull.Fd, devNull.Fd], ParentDeathSignal = 0,
            });
            child.Release();
        }
        catch (Exception e) when (e is ErrnoException or IOException)
        {
            Libc.WriteErrorLine($"skiff-monitor: {_options.Id}: the exit command failed: {e.Message}");
        }
    }

    private static void TryUnlink(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }

    public void Dispose()
    {
        _log.Dispose();
        _listener.Dispose();
        TryUnlink(_options.AttachSocket);
        foreach (var c in _clients) c.Dispose();
        _output?.Dispose();
        _errors?.Dispose();
        _input?.Dispose();
        _pidfd?.Dispose();
    }
}
