using Skiff.Engine.Configuration;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;
using Skiff.Engine.Processes;
using Skiff.Interop;

namespace Skiff.Engine.Containers;

/// <summary>
/// `skiff run`: the create stage, then start through the container's monitor; in the foreground the output comes
/// over the monitor's attach socket (stdin and the terminal go back to it) until the container exits, and the
/// cleanup (with --rm) is done before returning the container's exit code. With -d the id is returned at once.
/// </summary>
public sealed class ContainerRunner(SkiffPaths paths, ImageService images)
{
    public sealed record Result(string Id, int ExitCode, bool Detached);

    public async Task<Result> RunAsync(RunOptions options, CancellationToken cancellationToken = default)
    {
        var lifecycle = new ContainerLifecycle(paths, images);
        var keys = DetachKeys.Parse(options.DetachKeys);
        ContainerRecord record;
        using (var interrupt = new EarlyInterrupt(cancellationToken))
        {
            try
            {
                record = await new ContainerCreator(paths, images).CreateAsync(options, interrupt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (interrupt.Signal != 0)
            {
                return new Result("", 128 + interrupt.Signal, false);
            }
        }
        if (options.Detach)
        {
            try { lifecycle.Start(record.Id); }
            catch (EngineException) when (options.Remove)
            {
                lifecycle.RemoveQuietly(record.Id);
                throw;
            }
            return new Result(record.Id, 0, true);
        }
        return Attached(lifecycle, record, options, keys);
    }

    private static Result Attached(ContainerLifecycle lifecycle, ContainerRecord record, RunOptions options, DetachKeys keys)
    {
        AttachSession? session = null;
        try
        {
            try
            {
                record = lifecycle.Start(record.Id, files => session = AttachSession.Connect(files.AttachSocket));
            }
            catch (EngineException) when (options.Remove)
            {
                lifecycle.RemoveQuietly(record.Id);
                throw;
            }
            return Follow(lifecycle, record, session!, options.Interactive ? keys : null, options.Tty, sigProxy: true);
        }
        finally
        {
            session?.Dispose();
        }
    }

    /// <summary>
    /// `attach`: joins our stdio to a running container's (through its monitor) until it exits (its exit code)
    /// or the detach keys are typed (0, the container runs on).
    /// </summary>
    public static Result Attach(ContainerLifecycle lifecycle, string nameOrId, bool noStdin, bool sigProxy, string? detachKeys = null)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        var keys = DetachKeys.Parse(detachKeys);
        var record = lifecycle.Refresh(lifecycle.Store.Find(nameOrId)) ?? throw EngineException.NoSuchContainer(nameOrId);
        if (record.State != ContainerStates.Running)
            throw new EngineException("you can only attach to running containers");
        using var session = AttachSession.Connect(new ContainerFiles(lifecycle.Paths, record.Id).AttachSocket);
        return Follow(lifecycle, record, session, record.Stdin && !noStdin ? keys : null, record.Terminal, sigProxy && !record.Terminal);
    }

    /// <summary>Pumps the container's output (and our stdin to it, watched for <paramref name="stdin"/>'s detach keys, when not null).</summary>
    public static Result Follow(ContainerLifecycle lifecycle, ContainerRecord record, AttachSession session, DetachKeys? stdin, bool tty, bool sigProxy)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        ArgumentNullException.ThrowIfNull(record);
        lifecycle.Events.Container(record, "attach");
        int? code;
        using (sigProxy && record.Pid is int pid ? SignalForwarder.To(pid) : null)
        using (var terminal = tty ? RawTerminal.Enter(session.SendResize) : null)
        {
            if (stdin is not null) StartInput(session, stdin);
            code = session.Pump(1, 2);
        }
        if (session.Detached) return new Result(record.Id, 0, true);
        // Without an exit message (its monitor was killed) the record tells, once cleaned up.
        code ??= lifecycle.Wait(record.Id, TimeSpan.FromMilliseconds(50))?.ExitCode;
        // The container's exit code is the answer even when its cleanup fails (a full disk, say): that is reported
        // as a warning, and the next command that sees the container finishes the cleanup.
        try { lifecycle.Cleanup(record.Id); }
        catch (Exception e) when (e is EngineException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Warning: cleaning up container {record.Name}: {UserMessages.Of(e)}");
        }
        return new Result(record.Id, code ?? -1, false);
    }

    /// <summary>Copies stdin to the container on a thread of its own, until end of input or the detach keys.</summary>
    private static void StartInput(AttachSession session, DetachKeys keys)
    {
        var thread = new Thread(() =>
        {
            var buffer = new byte[32 * 1024];
            var pass = new List<byte>(buffer.Length);
            int ioErrors = 0;
            while (true)
            {
                int n;
                try { n = Libc.Read(0, buffer); }
                catch (ErrnoException e) when (e.Errno == Errno.EAGAIN)
                {
                    // stdin's file description is non-blocking (shared with another process): wait for input instead
                    Libc.PollOne(0, Libc.POLLIN, -1);
                    continue;
                }
                catch (ErrnoException e) when (e.Errno == Errno.EIO && ++ioErrors < 50)
                {
                    // a terminal briefly out of reach (a foreground change): try again rather than end the input
                    Thread.Sleep(20);
                    continue;
                }
                catch (ErrnoException) { n = 0; }
                if (n <= 0) break;
                pass.Clear();
                bool detach = keys.Filter(buffer.AsSpan(0, n), pass);
                if (pass.Count > 0) session.SendStdin(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pass));
                if (detach) { session.Detach(); return; }
            }
            session.SendEndOfStdin();
        }) { IsBackground = true, Name = "skiff-attach-input" };
        thread.Start();
    }
}
