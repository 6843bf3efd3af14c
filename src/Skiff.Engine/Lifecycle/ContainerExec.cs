using System.Security.Cryptography;
using System.Text.Json;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Engine.Processes;
using Skiff.Engine.Runtime;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Engine.Lifecycle;

/// <summary>What `exec` was asked for.</summary>
public sealed class ExecOptions
{
    public required IReadOnlyList<string> Command { get; init; }
    public bool Interactive { get; init; }
    public bool Tty { get; init; }
    public bool Detach { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string> EnvFiles { get; init; } = [];
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
    public int PreserveFds { get; init; }
    /// <summary>--privileged: every capability for this process (the container's seccomp filter and namespaces stay).</summary>
    public bool Privileged { get; init; }
}

/// <summary>
/// `exec`: a new process in a running container, with the container's own process settings (environment,
/// capabilities, limits, no_new_privs) and the caller's overrides, started by the runtime's `exec --process`. The
/// process's stdio is ours (or, with -t, a terminal in the container joined to ours); its exit code is returned.
/// </summary>
public sealed class ContainerExec(SkiffPaths paths, ImageService images)
{
    public int Exec(string nameOrId, ExecOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Command.Count == 0) throw new EngineException("must provide a non-empty command to start an exec session: invalid argument");
        var lifecycle = new ContainerLifecycle(paths, images);
        var record = lifecycle.Refresh(lifecycle.Store.Find(nameOrId)) ?? throw EngineException.NoSuchContainer(nameOrId);
        if (record.State != ContainerStates.Running)
            throw new EngineException("can only create exec sessions on running containers: container state improper");
        var files = new ContainerFiles(paths, record.Id);
        var spec = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(files.Bundle, "config.json")), RuntimeJsonContext.Default.Spec)
            ?? throw new EngineException($"container {record.Name}: its config.json is empty");
        var process = spec.Process ?? new Process();
        process.Args = [.. options.Command];
        process.Terminal = options.Tty;
        process.ConsoleSize = null;
        if (options.Tty && Libc.IsATty(0) == 1)
        {
            // Set by the runtime before the process starts: a program that asks for its size at once gets ours.
            try
            {
                var (rows, columns) = Libc.GetWindowSize(0);
                if (rows > 0 && columns > 0) process.ConsoleSize = new ConsoleSize { Height = rows, Width = columns };
            }
            catch (ErrnoException) { }
        }
        var env = new List<string>(process.Env ?? []);
        foreach (string line in ContainerCreator.ReadEnvFiles(options.EnvFiles).Concat(options.Env))
        {
            string entry = line.Contains('=', StringComparison.Ordinal) ? line
                : System.Environment.GetEnvironmentVariable(line) is { } v ? $"{line}={v}" : "";
            if (entry.Length == 0) continue;
            string key = entry[..(entry.IndexOf('=', StringComparison.Ordinal) + 1)];
            env.RemoveAll(e => e.StartsWith(key, StringComparison.Ordinal));
            env.Add(entry);
        }
        process.Env = env;
        if (!string.IsNullOrEmpty(options.WorkingDir)) process.Cwd = options.WorkingDir;
        if (options.Privileged)
        {
            List<string> all = [.. Security.CapabilitySet.All];
            process.Capabilities = new Capabilities { Bounding = all, Effective = [.. all], Permitted = [.. all], Inheritable = [], Ambient = [] };
        }
        if (options.User is { Length: > 0 } userSpec)
        {
            string root = spec.Root?.Path ?? files.Layer.Merged;
            var user = ContainerUser.Resolve(userSpec, ContainerCreator.ReadSmall(root, "etc/passwd"), ContainerCreator.ReadSmall(root, "etc/group"));
            process.User = new User { Uid = user.Uid, Gid = user.Gid, Umask = process.User.Umask, AdditionalGids = user.AdditionalGids.Count > 0 ? [.. user.AdditionalGids] : null };
            if (user.Uid != 0 && process.Capabilities is { } caps)
            {
                // podman: a non-root exec user keeps the bounding set only, as a non-root container process does.
                caps.Effective = [];
                caps.Permitted = [];
                caps.Ambient = [];
            }
        }
        files.EnsureRunDir();
        string processFile = Path.Combine(files.RunDir, $"exec-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.json");
        File.WriteAllBytes(processFile, JsonSerializer.SerializeToUtf8Bytes(process, RuntimeJsonContext.Default.Process));
        try
        {
            var runtime = record.Runtime is { } path ? OciRuntime.At(path, paths.RunRoot) : OciRuntime.Locate(null, paths.RunRoot);
            var args = new List<string> { "exec", "--process", processFile };
            if (options.Detach) args.Add("--detach");
            if (options.PreserveFds > 0) args.AddRange(["--preserve-fds", options.PreserveFds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (!options.Interactive && !options.Detach) Libc.DetachStdin();
            lifecycle.Events.Container(record, "exec");
            int code = options.Tty ? ExecWithTerminal(runtime, args, record.Id, files) : runtime.Run([.. args, record.Id], extraFds: options.PreserveFds);
            if (!options.Detach) lifecycle.Events.Container(record, "exec_died", code);
            return code;
        }
        finally
        {
            File.Delete(processFile);
        }
    }

    /// <summary>exec -t: the runtime sends the terminal's master to a socket of ours; we join it to our own stdio.</summary>
    private static int ExecWithTerminal(OciRuntime runtime, List<string> args, string id, ContainerFiles files)
    {
        string socketPath = Path.Combine(files.RunDir, $"exec-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.sock");
        using var listener = Libc.ListenUnix(socketPath, Libc.SOCK_STREAM, 1);
        try
        {
            args.AddRange(["--console-socket", socketPath, id]);
            using var child = runtime.StartChild(args);
            SafeFd? master = null;
            while (master is null)
            {
                if (Libc.PollOne(listener.Fd, Libc.POLLIN, 100))
                {
                    using var connection = Libc.Accept(listener.Fd);
                    if (connection is null) continue;
                    var fds = new List<SafeFd>();
                    Libc.ReceiveWithFds(connection.Fd, new byte[256], fds);
                    master = fds.FirstOrDefault();
                }
                else if (Libc.WaitPid(child.Pid, out int status, Libc.WNOHANG) == child.Pid)
                    return ProcessExit.Decode(status); // it failed before sending the terminal
            }
            using (master)
            using (var terminal = new TerminalJoin(master))
                terminal.Run();
            return child.WaitForExit();
        }
        finally
        {
            File.Delete(socketPath);
        }
    }
}
