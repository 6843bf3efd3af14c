using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Hooks;

/// <summary>
/// Runs the hooks of config.json (runtime-spec config.md#posix-platform-hooks): each hook of a list in order,
/// path executed with args (args[0] is argv[0]; no args: argv is [path]) and env (none given: the runtime's own
/// environment, as runc does), the container's state as JSON on stdin, stdout and stderr captured for the error.
/// A hook that exits non-zero, is killed, or outlives its timeout (it is then killed with its process group)
/// fails: an error naming the kind, the path and the exit status or timeout - except for poststart and poststop,
/// whose failures are logged as warnings and the remaining hooks still run. Hooks are started with CloneChild,
/// which closes every descriptor above stderr on exec: a hook inherits none of the runtime's files.
/// </summary>
public static class HookRunner
{
    public const string Prestart = "prestart", CreateRuntime = "createRuntime", CreateContainer = "createContainer",
        StartContainer = "startContainer", Poststart = "poststart", Poststop = "poststop";

    /// <summary>The hook kinds, in the order of a container's life.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [Prestart, CreateRuntime, CreateContainer, StartContainer, Poststart, Poststop];

    /// <summary>The most of each output stream kept for an error message.</summary>
    private const int MaxCapture = 16 << 10;
    private const int MaxShown = 512;

    private static readonly RuntimeJsonContext Compact = new(new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });

    /// <summary>The list of one kind in <paramref name="hooks"/>.</summary>
    public static IReadOnlyList<Hook>? ListOf(Oci.Runtime.Hooks? hooks, string kind) => kind switch
    {
        Prestart => hooks?.Prestart,
        CreateRuntime => hooks?.CreateRuntime,
        CreateContainer => hooks?.CreateContainer,
        StartContainer => hooks?.StartContainer,
        Poststart => hooks?.Poststart,
        Poststop => hooks?.Poststop,
        _ => throw new ArgumentException($"unknown hook kind {kind}", nameof(kind)),
    };

    /// <summary>poststart and poststop failures are warnings (the spec: log a warning and continue).</summary>
    public static bool FailuresAreWarnings(string kind) => kind is Poststart or Poststop;

    /// <summary>Runs the <paramref name="kind"/> list of <paramref name="hooks"/> with the spec's rule for failures.</summary>
    public static void RunStage(string kind, Oci.Runtime.Hooks? hooks, Oci.Runtime.State state, RuntimeLog? log) =>
        Run(kind, ListOf(hooks, kind), state, FailuresAreWarnings(kind), log);

    /// <summary>
    /// Runs <paramref name="hooks"/> in order with <paramref name="state"/> on stdin. A failure throws a
    /// <see cref="RuntimeException"/> (the later hooks do not run), or with <paramref name="failuresAreWarnings"/>
    /// is logged as a warning and the next hook runs.
    /// </summary>
    public static void Run(string kind, IEnumerable<Hook>? hooks, Oci.Runtime.State state, bool failuresAreWarnings, RuntimeLog? log)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (hooks is null) return;
        byte[] stdin = JsonSerializer.SerializeToUtf8Bytes(state, Compact.State);
        foreach (var hook in hooks)
        {
            string? failure = Check(kind, hook);
            if (failure is null)
            {
                var result = Execute(hook, stdin);
                failure = result.Failure(kind, hook);
                if (failure is null) log?.Debug($"{kind} hook {hook.Path} succeeded");
            }
            if (failure is null) continue;
            if (!failuresAreWarnings) throw new RuntimeException(failure);
            (log ?? new RuntimeLog()).Warn(failure);
        }
    }

    /// <summary>Checks every hook of the config (at create): absolute paths, timeouts above zero.</summary>
    public static void Validate(Oci.Runtime.Hooks? hooks)
    {
        foreach (string kind in Kinds)
            foreach (var hook in ListOf(hooks, kind) ?? [])
                if (Check(kind, hook) is { } problem) throw new RuntimeException(problem);
    }

    private static string? Check(string kind, Hook hook)
    {
        if (!hook.Path.StartsWith('/')) return $"{kind} hook path \"{hook.Path}\" is not absolute";
        if (hook.Timeout is <= 0) return $"{kind} hook {hook.Path}: timeout must be greater than zero (got {hook.Timeout})";
        return null;
    }

    /// <summary>How one hook ended.</summary>
    public sealed record Result(int ExitCode, int Signal, bool TimedOut, int? Timeout, string? LaunchError, string Stdout, string Stderr)
    {
        /// <summary>The one-line failure, or null when the hook succeeded.</summary>
        public string? Failure(string kind, Hook hook)
        {
            ArgumentNullException.ThrowIfNull(hook);
            string what = $"{kind} hook {hook.Path}";
            if (LaunchError is not null) return $"{what} could not be started: {LaunchError}";
            string detail;
            if (TimedOut) detail = $"did not finish within its timeout of {Timeout} s and was killed";
            else if (Signal != 0) detail = $"was killed by signal {Signal}";
            else if (ExitCode != 0) detail = $"failed with exit status {ExitCode}";
            else return null;
            string output = Stderr.Trim().Length > 0 ? $" (stderr: {Shown(Stderr)})" : Stdout.Trim().Length > 0 ? $" (stdout: {Shown(Stdout)})" : "";
            return $"{what} {detail}{output}";
        }

        private static string Shown(string text)
        {
            string line = RuntimeLog.OneLine(text.Trim());
            return line.Length <= MaxShown ? line : line[..MaxShown] + "...";
        }
    }

    /// <summary>Starts one hook, feeds it <paramref name="stdin"/>, collects its output and waits for it (or its timeout).</summary>
    public static Result Execute(Hook hook, byte[] stdin)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(stdin);
        var (inRead, inWrite) = Libc.Pipe2();
        var (outRead, outWrite) = Libc.Pipe2();
        var (errRead, errWrite) = Libc.Pipe2();
        var ours = new List<SafeFd> { inWrite, outRead, errRead };
        var theirs = new List<SafeFd> { inRead, outWrite, errWrite };
        try
        {
            // The hook's ends become 0, 1, 2: take them above 2 first so that no dup3 overwrites another's source.
            for (int i = 0; i < theirs.Count; i++) theirs[i] = AboveStdio(theirs[i]);
            int r = theirs[0].Fd, o = theirs[1].Fd, e = theirs[2].Fd;
            string[] argv = hook.Args is { Count: > 0 } args ? [.. args] : [hook.Path];
            using var child = CloneChild.Start(new CloneStartInfo
            {
                Path = hook.Path,
                Args = argv,
                Env = hook.Env is { } env ? [.. env] : CurrentEnvironment(),
                ParentDeathSignal = 0,
                NewSession = true, // its own process group: a timeout kills the hook and what it started
                Setup = p =>
                {
                    p.Dup3(r, 0);
                    p.Dup3(o, 1);
                    p.Dup3(e, 2);
                },
            });
            foreach (var fd in theirs) fd.Dispose();
            theirs.Clear();
            child.Release();
            if (child.LaunchError is { } launch)
            {
                Libc.WaitPid(child.Pid, out _);
                return new Result(127, 0, false, hook.Timeout, launch.Errno == 0 ? launch.Message : Libc.StrError(launch.Errno), "", "");
            }
            return Supervise(child.Pid, hook.Timeout, stdin, inWrite, outRead, errRead);
        }
        finally
        {
            foreach (var fd in ours) fd.Dispose();
            foreach (var fd in theirs) fd.Dispose();
        }
    }

    private static Result Supervise(int pid, int? timeout, byte[] stdin, SafeFd inWrite, SafeFd outRead, SafeFd errRead)
    {
        Libc.SetNonBlocking(inWrite.Fd);
        Libc.SetNonBlocking(outRead.Fd);
        Libc.SetNonBlocking(errRead.Fd);
        var stdout = new Capture();
        var stderr = new Capture();
        int written = 0;
        bool writing = stdin.Length > 0, outOpen = true, errOpen = true, timedOut = false;
        if (!writing) inWrite.Dispose(); // end of file right away
        long deadline = timeout is int t ? Environment.TickCount64 + t * 1000L : long.MaxValue;
        using var pidfd = Libc.PidfdOpen(pid);
        Span<Libc.PollEntry> entries = stackalloc Libc.PollEntry[4];
        Span<byte> buffer = stackalloc byte[4096];
        while (true)
        {
            int n = 0;
            entries[n++] = new Libc.PollEntry { Fd = pidfd.Fd, Events = Libc.POLLIN };
            int outAt = outOpen ? n++ : -1, errAt = errOpen ? n++ : -1, inAt = writing ? n++ : -1;
            if (outAt >= 0) entries[outAt] = new Libc.PollEntry { Fd = outRead.Fd, Events = Libc.POLLIN };
            if (errAt >= 0) entries[errAt] = new Libc.PollEntry { Fd = errRead.Fd, Events = Libc.POLLIN };
            if (inAt >= 0) entries[inAt] = new Libc.PollEntry { Fd = inWrite.Fd, Events = Libc.POLLOUT };
            long left = deadline == long.MaxValue ? -1 : Math.Max(0, deadline - Environment.TickCount64);
            Libc.Poll(entries[..n], (int)Math.Min(left, int.MaxValue));
            if (entries[0].Revents != 0) break; // exited
            if (deadline != long.MaxValue && Environment.TickCount64 >= deadline)
            {
                timedOut = true;
                Libc.Kill(-pid, Libc.SIGKILL); // the process group (the hook leads it: NewSession)
                Libc.Kill(pid, Libc.SIGKILL);
                break;
            }
            if (outAt >= 0 && entries[outAt].Revents != 0) outOpen = stdout.Drain(outRead.Fd, buffer);
            if (errAt >= 0 && entries[errAt].Revents != 0) errOpen = stderr.Drain(errRead.Fd, buffer);
            if (inAt >= 0 && entries[inAt].Revents != 0)
            {
                try { written += Libc.WriteAvailable(inWrite.Fd, stdin.AsSpan(written)); }
                catch (ErrnoException ex) when (ex.Errno == Errno.EPIPE) { written = stdin.Length; } // the hook does not read its stdin
                if (written >= stdin.Length)
                {
                    writing = false;
                    inWrite.Dispose();
                }
            }
        }
        Libc.WaitPid(pid, out int status);
        // What the hook wrote before it ended; a descendant still holding the pipes is not waited for.
        if (outOpen) stdout.Drain(outRead.Fd, buffer);
        if (errOpen) stderr.Drain(errRead.Fd, buffer);
        int signal = status & 0x7f;
        int code = signal == 0 ? (status >> 8) & 0xff : 128 + signal;
        return new Result(code, timedOut ? 0 : signal, timedOut, timeout, null, stdout.Text, stderr.Text);
    }

    private static SafeFd AboveStdio(SafeFd fd)
    {
        if (fd.Fd > 2) return fd;
        var copy = new SafeFd(Libc.Check(Libc.Fcntl(fd.Fd, Libc.F_DUPFD_CLOEXEC, 3), "dup of a hook pipe"));
        fd.Dispose();
        return copy;
    }

    private static string[] CurrentEnvironment()
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            env.Add($"{entry.Key}={entry.Value}");
        return [.. env];
    }

    /// <summary>Up to <see cref="MaxCapture"/> bytes of one output stream; the rest is read and dropped.</summary>
    private sealed class Capture
    {
        private readonly MemoryStream _bytes = new();

        public string Text => Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);

        /// <summary>Reads what is there; false at end of file.</summary>
        public bool Drain(int fd, Span<byte> buffer)
        {
            while (true)
            {
                int n = Libc.ReadAvailable(fd, buffer);
                if (n < 0) return true;
                if (n == 0) return false;
                int keep = (int)Math.Min(n, MaxCapture - _bytes.Length);
                if (keep > 0) _bytes.Write(buffer[..keep]);
            }
        }
    }
}
