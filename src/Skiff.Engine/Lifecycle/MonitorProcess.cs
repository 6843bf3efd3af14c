using System.Globalization;
using System.Text;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.Processes;
using Skiff.Engine.Runtime;
using Skiff.Interop;

namespace Skiff.Engine.Lifecycle;

/// <summary>
/// Starts a container's skiff-monitor (in a session of its own, outliving this command) and waits for its one-line
/// report on the sync pipe: the container is created (its init's pid), or the runtime failed.
/// </summary>
public static class MonitorProcess
{
    public const string ProgramName = "skiff-monitor";

    public sealed record Started(int MonitorPid, int ContainerPid);

    public static Started Spawn(SkiffPaths paths, ContainerRecord record, ContainerFiles files, OciRuntime runtime)
    {
        string monitor = Locate();
        string self = Environment.ProcessPath ?? throw new EngineException("cannot find the skiff executable (Environment.ProcessPath)");
        var args = new List<string>
        {
            monitor, "--id", record.Id, "--runtime", runtime.Path, "--runtime-root", runtime.StateRoot, "--bundle", files.Bundle,
            "--pid-file", files.PidFile, "--log-path", record.LogDriver == "none" ? "/dev/null" : files.LogPath,
            "--exit-file", files.ExitFile, "--attach-socket", files.AttachSocket, "--runtime-log", files.RuntimeLog,
        };
        if (record.LogMaxSize > 0) args.AddRange(["--log-max-size", record.LogMaxSize.ToString(CultureInfo.InvariantCulture)]);
        if (record.Terminal) args.Add("--terminal");
        if (record.Stdin) args.Add("--stdin");
        foreach (string a in new[] { self, "--root", paths.GraphRoot, "--runroot", paths.RunRoot, "container", "cleanup", record.Id })
            args.AddRange(["--exit-command", a]);
        files.EnsureRunDir();
        File.Delete(files.RuntimeLog);

        var (syncRead, syncWrite) = Libc.Pipe2();
        using (syncRead)
        {
            int monitorPid;
            using (syncWrite)
            using (var devNull = Libc.OpenFd("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC))
            using (var errors = Libc.OpenFd(Path.Combine(files.RunDir, "monitor.log"), Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_CLOEXEC, 0x180))
            using (var child = CloneChild.Start(new CloneStartInfo
            {
                Path = monitor, Args = args, Env = ProcessEnvironment.Current(),
                StdioFds = [devNull.Fd, devNull.Fd, errors.Fd], ExtraFds = [syncWrite.Fd], NewSession = true, ParentDeathSignal = 0,
            }))
            {
                child.Release();
                if (child.LaunchError is { } e) throw new EngineException($"cannot run {monitor}: {ErrorText.Of(e)}");
                monitorPid = child.Pid;
            }
            string report = Encoding.UTF8.GetString(Libc.ReadToEnd(syncRead.Fd, 4096)).Trim();
            if (report.StartsWith("ok ", StringComparison.Ordinal)
                && int.TryParse(report.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                return new Started(monitorPid, pid);
            try { Libc.WaitPid(monitorPid, out _, Libc.WNOHANG); }
            catch (ErrnoException) { }
            throw CreateFailure(runtime, report, files.RuntimeLog);
        }
    }

    /// <summary>skiff-monitor beside the skiff binary, else on PATH.</summary>
    public static string Locate()
        => HelperPrograms.FindOwn(ProgramName)
            ?? throw new EngineException($"{ProgramName} was not found beside skiff or in $PATH: install Skiff completely (make install)");

    /// <summary>
    /// Why create failed, from the runtime's log (JSON lines, the last error wins), with podman's exit codes: 127 when
    /// the command was not found, 126 when it cannot be invoked (our runtime's own exit codes say so; others' words do).
    /// </summary>
    private static EngineException CreateFailure(OciRuntime runtime, string report, string runtimeLog)
    {
        if (!report.StartsWith("error ", StringComparison.Ordinal))
            return new EngineException($"the container's monitor failed before the container was created{(report.Length > 0 ? ": " + report : "")}");
        string rest = report[6..];
        int space = rest.IndexOf(' ', StringComparison.Ordinal);
        int rc = int.TryParse(space < 0 ? rest : rest[..space], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : ExitCodes.EngineError;
        string log = File.Exists(runtimeLog) ? File.ReadAllText(runtimeLog) : "";
        string? message = space >= 0 ? rest[(space + 1)..] : LastError(log);
        int code = runtime.IsSkiffRuntime && rc is ExitCodes.NotFound or ExitCodes.CannotInvoke ? rc : OciRuntime.ClassifyCreateFailure(log);
        string name = Path.GetFileName(runtime.Path);
        return new EngineException(message is null ? $"the OCI runtime {name} failed to create the container (exit code {rc})" : $"{name}: {message}", ExitCodes.KindOf(code));
    }

    /// <summary>The message of the last error line in the runtime's JSON log text.</summary>
    private static string? LastError(string log)
    {
        string? last = null;
        foreach (string line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("level", out var level) && level.GetString() == "error"
                    && doc.RootElement.TryGetProperty("msg", out var msg))
                    last = msg.GetString();
            }
            catch (System.Text.Json.JsonException) { }
        }
        return last;
    }
}
