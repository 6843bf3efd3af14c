using System.Diagnostics;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>`run -it`, `attach` and `exec -it` in a real terminal: tmux runs skiff, the test types and reads the screen.</summary>
[Collection(SkiffCollection.Name)]
public sealed class TerminalTests(SkiffEnvironment env)
{
    private readonly string _store = "tty-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _session = "skiff-" + Guid.NewGuid().ToString("N")[..8];

    private string SkiffLine(string args) =>
        $"'{env.SkiffPath}' --root '{Path.Combine(env.Work, _store, "root")}' --runroot '{Path.Combine(env.Work, _store, "run")}' {args}";

    private static CommandResult Tmux(params string[] args) => Command.Run("tmux", args);

    private string Screen() => Tmux("capture-pane", "-p", "-t", _session).Stdout;

    private void WaitForScreen(Func<string, bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        string screen = "";
        while (sw.Elapsed < TimeSpan.FromSeconds(15))
        {
            screen = Screen();
            if (condition(screen)) return;
            Thread.Sleep(100);
        }
        Assert.Fail($"the screen never showed {what}:\n{screen}");
    }

    private void Type(string keys) => Tmux("send-keys", "-t", _session, keys, "Enter");

    /// <summary>
    /// Types <paramref name="keys"/> until the screen shows what they should produce: keys typed before skiff has put
    /// the terminal in raw mode (a loaded machine) are discarded by the terminal itself.
    /// </summary>
    private void TypeUntil(string keys, Func<string, bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        string screen = "";
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            Type(keys);
            for (int i = 0; i < 20; i++)
            {
                Thread.Sleep(100);
                screen = Screen();
                if (condition(screen)) return;
            }
        }
        Assert.Fail($"the screen never showed {what}:\n{screen}");
    }

    /// <summary>
    /// How the pane's skiff ended, or null while it runs. tmux's own "dead" flag is not enough: in about one full-suite
    /// run in ten, skiff had exited (a zombie, its terminal closed) but tmux never reaped it, so the pane never showed
    /// "Pane is dead"; the kernel's record of the zombie gives the same exit status.
    /// </summary>
    private int? PaneExitStatus()
    {
        string[] pane = Tmux("display-message", "-p", "-t", _session, "#{pane_dead} #{pane_dead_status} #{pane_pid}").Stdout.Trim().Split(' ');
        if (pane.Length == 3 && pane[0] == "1" && int.TryParse(pane[1], out int deadStatus)) return deadStatus;
        if (pane.Length < 3) return null;
        string stat;
        try { stat = File.ReadAllText($"/proc/{pane[^1]}/stat"); }
        catch (IOException) { return null; }
        // Fields after the command name, which ends at the last ')': state is the first, the wait status (exit_code) the 50th.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Trim().Split(' ');
        if (fields[0] != "Z" || fields.Length < 50) return null;
        int wait = int.Parse(fields[49], System.Globalization.CultureInfo.InvariantCulture);
        return (wait & 0x7f) == 0 ? (wait >> 8) & 0xff : 128 + (wait & 0x7f);
    }

    /// <summary>ctrl-p ctrl-q until skiff exits (sent again every 5 s, in case the keys were lost); returns its exit status.</summary>
    private int DetachKeys()
    {
        for (int attempt = 0; attempt < 4; attempt++)
        {
            Tmux("send-keys", "-t", _session, "C-p", "C-q");
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(5))
            {
                if (PaneExitStatus() is int status) return status;
                Thread.Sleep(100);
            }
        }
        Assert.Fail($"skiff never exited on ctrl-p ctrl-q:\n{Screen()}\n{Diagnosis()}");
        return -1;
    }

    /// <summary>For a hang: the pane's terminal settings and where each thread of the skiff in it waits.</summary>
    private string Diagnosis()
    {
        var lines = new List<string>();
        string pid = Tmux("display-message", "-p", "-t", _session, "#{pane_pid}").Stdout.Trim();
        string tty = Tmux("display-message", "-p", "-t", _session, "#{pane_tty}").Stdout.Trim();
        var stty = Command.Run("stty", ["-a", "-F", tty]);
        lines.Add($"pane pid {pid}, tty {tty}: {(stty.Stdout + stty.Stderr).Replace('\n', ' ')}");
        try
        {
            lines.Add(string.Join(' ', File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith("PPid:", StringComparison.Ordinal) || l.StartsWith("Sig", StringComparison.Ordinal))));
            foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
                lines.Add($"thread {Path.GetFileName(task)} {File.ReadAllText(Path.Combine(task, "comm")).Trim()}: wchan {File.ReadAllText(Path.Combine(task, "wchan"))}, {File.ReadAllLines(Path.Combine(task, "status")).FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal))}");
            lines.Add("fd 0 flags: " + string.Join(' ', File.ReadAllLines($"/proc/{pid}/fdinfo/0")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { lines.Add($"(/proc/{pid}: {e.Message})"); }
        return string.Join('\n', lines);
    }

    [RequiresProgramsFact("tmux")]
    public void Run_it_types_resizes_detaches_and_attaches_again()
    {
        Assert.Equal(0, env.SkiffIn(_store, "pull", "--tls-verify=false", env.Busybox).ExitCode);
        Assert.Equal(0, Tmux("new-session", "-d", "-s", _session, "-x", "80", "-y", "24", SkiffLine($"run -it --name tt {env.Busybox} sh")).ExitCode);
        try
        {
            Tmux("set-option", "-t", _session, "status", "off");
            Tmux("set-option", "-t", _session, "remain-on-exit", "on");
            WaitForScreen(s => s.Contains("/ #", StringComparison.Ordinal), "the shell's prompt");
            Type("echo typed-$((40+2))");
            WaitForScreen(s => s.Contains("typed-42", StringComparison.Ordinal), "the command's output");
            Type("stty size");
            WaitForScreen(s => s.Contains("24 80", StringComparison.Ordinal), "the first size");
            Tmux("resize-window", "-t", _session, "-x", "100", "-y", "30");
            TypeUntil("stty size", s => s.Contains("30 100", StringComparison.Ordinal), "the new size after the resize");

            Assert.Equal(0, DetachKeys());
            Assert.Contains("Up ", env.SkiffIn(_store, "ps").Stdout, StringComparison.Ordinal);

            Tmux("respawn-pane", "-k", "-t", _session, SkiffLine("attach tt"));
            TypeUntil("echo back-$((1+1))", s => s.Contains("back-2", StringComparison.Ordinal), "output after attach");

            Tmux("respawn-pane", "-k", "-t", _session, SkiffLine("exec -it tt sh"));
            WaitForScreen(s => s.Contains("/ #", StringComparison.Ordinal), "the exec shell's prompt");
            Type("echo exec-$((2+3)); stty size; exit 3");
            WaitForScreen(s => s.Contains("exec-5", StringComparison.Ordinal) && s.Contains("30 100", StringComparison.Ordinal), "the exec's output and size");
        }
        finally
        {
            Tmux("kill-session", "-t", _session);
            env.SkiffIn(_store, "rm", "-f", "-a", "-t", "0");
        }
    }

    [RootFact]
    public void Exec_runs_in_the_container_with_its_environment_and_the_callers_overrides()
    {
        Assert.Equal(0, env.SkiffIn(_store, "run", "-d", "--name", "x", "-e", "FOO=bar", "--tls-verify=false", env.Busybox, "sleep", "300").ExitCode);
        try
        {
            var plain = env.SkiffIn(_store, "exec", "x", "sh", "-c", "echo $FOO $(id -u) $(pwd); exit 5");
            Assert.Equal(5, plain.ExitCode);
            Assert.Equal("bar 0 /\n", plain.Stdout);
            var overridden = env.SkiffIn(_store, "exec", "-u", "1000", "-w", "/tmp", "-e", "FOO=baz", "x", "sh", "-c", "echo $FOO $(id -u) $(pwd); grep CapEff /proc/self/status");
            Assert.Equal("baz 1000 /tmp\nCapEff:\t0000000000000000\n", overridden.Stdout);
            var piped = Command.Run(env.SkiffPath, ["--root", Path.Combine(env.Work, _store, "root"), "--runroot", Path.Combine(env.Work, _store, "run"), "exec", "-i", "x", "cat"], stdin: "through\n");
            Assert.Equal("through\n", piped.Stdout);
            Assert.Equal(127, env.SkiffIn(_store, "exec", "x", "no-such-program").ExitCode);
            Assert.Equal(0, env.SkiffIn(_store, "stop", "-t", "0", "x").ExitCode);
            var stopped = env.SkiffIn(_store, "exec", "x", "true");
            Assert.Equal(125, stopped.ExitCode);
            Assert.Equal("Error: can only create exec sessions on running containers: container state improper\n", stopped.Stderr);
        }
        finally
        {
            env.SkiffIn(_store, "rm", "-f", "-a", "-t", "0");
        }
    }
}
