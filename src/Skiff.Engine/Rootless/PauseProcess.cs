using System.Globalization;
using Skiff.Engine.Lifecycle;
using Skiff.Interop;
using Skiff.Storage.Locking;

namespace Skiff.Engine.Rootless;

/// <summary>
/// Rootless Skiff keeps one user namespace and one mount namespace per user, held by a pause process (as podman
/// does): the first command starts `skiff-monitor --pause` in new ones and records it in RUNDIR/pause.pid; every
/// command joins them, so containers, their monitors and their overlay mounts outlive the command that made them.
/// </summary>
public static class PauseProcess
{
    /// <summary>The pause process's pid, started (with the id maps written by <paramref name="writeMaps"/>) when none runs.</summary>
    public static int Ensure(string runDir, Action<int> writeMaps)
    {
        ArgumentNullException.ThrowIfNull(writeMaps);
        Directory.CreateDirectory(runDir); // inside the user's private run directory (SkiffPaths.RuntimeDir)
        string pidFile = Path.Combine(runDir, "pause.pid");
        using var l = FileLock.AcquireExclusive(Path.Combine(runDir, "pause.lock"));
        if (Read(pidFile) is int running) return running;
        string monitor = MonitorProcess.Locate();
        using var devNull = Libc.OpenFd("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
        using var child = CloneChild.Start(new CloneStartInfo
        {
            Path = monitor, Args = [monitor, "--pause"], Env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
            NamespaceFlags = CloneFlags.NewUser | CloneFlags.NewNs, NewSession = true, ParentDeathSignal = 0,
            StdioFds = [devNull.Fd, devNull.Fd, devNull.Fd],
        });
        try
        {
            writeMaps(child.Pid);
        }
        catch
        {
            Libc.Kill(child.Pid, Libc.SIGKILL);
            throw; // Dispose reaps it
        }
        child.Release();
        if (child.LaunchError is { } e) throw new EngineException($"cannot start the rootless pause process {monitor}: {ErrorText.Of(e)}");
        ulong start = ProcessIdentity.StartTime(child.Pid) ?? throw new EngineException("the rootless pause process exited at once");
        AtomicFile.WriteAllBytes(pidFile, System.Text.Encoding.ASCII.GetBytes(
            $"{child.Pid.ToString(CultureInfo.InvariantCulture)} {start.ToString(CultureInfo.InvariantCulture)}\n"));
        return child.Pid;
    }

    /// <summary>The recorded pause process when it still runs (same pid and start time) in a namespace of its own.</summary>
    private static int? Read(string pidFile)
    {
        string[] parts;
        try { parts = File.ReadAllText(pidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong start))
            return null;
        if (!ProcessIdentity.IsAlive(pid, start)) return null;
        try
        {
            string theirs = File.ResolveLinkTarget($"/proc/{pid}/ns/user", false)?.ToString() ?? "";
            string ours = File.ResolveLinkTarget("/proc/self/ns/user", false)?.ToString() ?? "";
            return theirs.Length > 0 && theirs != ours ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
