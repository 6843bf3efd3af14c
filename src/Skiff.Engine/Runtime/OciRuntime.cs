using System.Globalization;
using Skiff.Engine.Processes;
using Skiff.Interop;

namespace Skiff.Engine.Runtime;

/// <summary>
/// Drives an OCI runtime through the standard command line (create, start, state, kill, delete), so that
/// runc or crun can stand in for Skiff's own skiff-runtime with --runtime.
/// </summary>
public sealed class OciRuntime
{
    public const string DefaultName = "skiff-runtime";

    public required string Path { get; init; }
    public required string StateRoot { get; init; }

    /// <summary>Skiff's own runtime promises exit 127/126 when the command is missing or not executable.</summary>
    public bool IsSkiffRuntime => System.IO.Path.GetFileName(Path) == DefaultName;

    /// <summary>Our own runtime beside the skiff binary first, then PATH; or a name or path the user gave.</summary>
    public static OciRuntime Locate(string? name, string stateRoot)
    {
        name ??= DefaultName;
        string? path = name == DefaultName ? HelperPrograms.FindOwn(name) : HelperPrograms.Find(name);
        if (path is null)
            throw new EngineException($"could not find a working OCI runtime \"{name}\": not found in $PATH");
        return At(path, stateRoot);
    }

    /// <summary>runtime create; its errors also go to <paramref name="logFile"/> (runc's and crun's --log, JSON lines).</summary>
    /// <summary>The runtime at <paramref name="path"/>, its state kept under RUNROOT/NAME (one directory per runtime).</summary>
    public static OciRuntime At(string path, string runRoot)
        => new() { Path = path, StateRoot = System.IO.Path.Combine(runRoot, System.IO.Path.GetFileName(path)) };

    public int Create(string id, string bundle, string pidFile, string logFile)
        => Invoke(["create", "--bundle", bundle, "--pid-file", pidFile, id], ["--log", logFile, "--log-format", "json"]);

    /// <summary>
    /// Podman's reading of a failed create: a runtime other than ours only says in words that the command was
    /// not found (127) or could not be invoked (126); anything else is the engine's failure (125).
    /// </summary>
    public static int ClassifyCreateFailure(string log)
    {
        if (log.Contains("executable file not found", StringComparison.Ordinal) || log.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase))
            return ExitCodes.NotFound;
        if (log.Contains("permission denied", StringComparison.OrdinalIgnoreCase))
            return ExitCodes.CannotInvoke;
        return ExitCodes.EngineError;
    }

    public int Start(string id) => Invoke(["start", id]);

    public int Kill(string id, int signal) => Invoke(["kill", id, signal.ToString(CultureInfo.InvariantCulture)]);

    public int Delete(string id, bool force) => Invoke(force ? ["delete", "--force", id] : ["delete", id]);

    /// <summary>
    /// Runs the runtime with our stdio (and fds 3..3+<paramref name="extraFds"/>-1 passed on), forwarding the
    /// signals we receive to it; returns its exit code.
    /// </summary>
    public int Run(IReadOnlyList<string> verbArgs, int extraFds = 0)
    {
        using var child = StartChild(verbArgs, extraFds);
        using var forward = SignalForwarder.To(child.Pid);
        return child.WaitForExit();
    }

    /// <summary>Starts the runtime with <paramref name="verbArgs"/> (released: running); the caller waits for it.</summary>
    public CloneChild StartChild(IReadOnlyList<string> verbArgs, int extraFds = 0)
    {
        var argv = new List<string> { Path, "--root", StateRoot };
        argv.AddRange(verbArgs);
        var child = CloneChild.Start(new CloneStartInfo
        {
            Path = Path, Args = argv, Env = ProcessEnvironment.Current(), ParentDeathSignal = 0,
            ExtraFds = [.. Enumerable.Range(3, extraFds)],
        });
        child.Release();
        if (child.LaunchError is { } e)
        {
            child.Dispose();
            throw new EngineException($"cannot run the OCI runtime {Path}: {ErrorText.Of(e)}");
        }
        return child;
    }

    private int Invoke(IReadOnlyList<string> verbArgs, IReadOnlyList<string>? globalArgs = null)
    {
        var argv = new List<string> { Path, "--root", StateRoot };
        argv.AddRange(globalArgs ?? []);
        argv.AddRange(verbArgs);
        var env = ProcessEnvironment.Current();
        using var child = CloneChild.Run(new CloneStartInfo { Path = Path, Args = argv, Env = env, ParentDeathSignal = 0 });
        return child.WaitForExit();
    }
}
