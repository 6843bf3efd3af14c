using System.Text;
using Skiff.Interop;

namespace Skiff.Monitor;

/// <summary>
/// One per container, for as long as it lives (podman's conmon). Started by the engine in a session of its own,
/// it becomes the subreaper of the runtime's `create`, keeps the container's stdio (pipes, or the pty master),
/// writes the output to the k8s-file log and to attached clients, and once the container's init has exited writes
/// the exit file and runs the exit command (the engine's cleanup). Descriptor 3 reports the creation.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // Daemonized: the terminal's signals are not ours. The engine stops containers through the runtime.
        foreach (int signal in new[] { 1, 2, 15 }) Libc.IgnoreSignal(signal);
        if (args is ["--pause"]) return Pause();
        MonitorOptions options;
        try { options = MonitorOptions.Parse(args); }
        catch (ArgumentException e)
        {
            Libc.WriteErrorLine($"skiff-monitor: {e.Message}");
            return 2;
        }
        var sync = new SafeFd(3);
        try
        {
            using var monitor = ContainerMonitor.Create(options, sync);
            if (monitor is null) return 1;
            int code = monitor.Run();
            monitor.RunExitCommand();
            return code;
        }
        catch (Exception e) when (e is ErrnoException or IOException or UnauthorizedAccessException)
        {
            Report(sync, $"error 125 {e.Message}");
            Libc.WriteErrorLine($"skiff-monitor: {options.Id}: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Rootless Skiff's pause process (podman's): started in a new user and mount namespace, it keeps them alive so
    /// that every later skiff command joins the same ones and finds the same mounts and containers. It only waits.
    /// </summary>
    private static int Pause()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>Writes the one line the engine waits for on the sync pipe, then closes it (once).</summary>
    internal static void Report(SafeFd sync, string line)
    {
        if (sync.IsClosed) return;
        try { Libc.WriteAll(sync.Fd, Encoding.UTF8.GetBytes(line + "\n")); }
        catch (ErrnoException) { /* the engine is gone: the state tells the next command */ }
        sync.Dispose();
    }
}
