using System.Diagnostics;
using System.Globalization;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// Faults at random moments: SIGKILL of the CLI (run -d, run --rm in the foreground, rm -f, stop), of a container's
/// monitor and of the container's own process, in turn, at random delays. Afterwards `ps -a`, `container cleanup`
/// and `rm -f -a` must leave no process, monitor, mount, record or run file behind. 100 trials in `make test`
/// (about a minute on 2 cores); SKIFF_STRESS_ITERATIONS trials in `make stress`. The seed is in every failure.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class FaultTests(SkiffEnvironment env)
{
    private readonly string _store = "fault-" + Guid.NewGuid().ToString("N")[..8];

    private static int Trials => int.TryParse(Environment.GetEnvironmentVariable("SKIFF_STRESS_ITERATIONS"), out int n) && n > 100 ? n : 100;

    private string StoreDir => Path.Combine(env.Work, _store);

    private string[] StoreArgs => ["--root", Path.Combine(StoreDir, "root"), "--runroot", Path.Combine(StoreDir, "run")];

    private CommandResult Must(params string[] args)
    {
        var r = env.SkiffIn(_store, args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
        return r;
    }

    private Process Spawn(params string[] args)
    {
        var psi = new ProcessStartInfo(env.SkiffPath) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (string a in StoreArgs.Concat(args)) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static void KillAfter(Process p, int ms)
    {
        p.WaitForExit(ms);
        if (!p.HasExited) p.Kill();
        p.WaitForExit();
    }

    /// <summary>The pids of processes whose command line has every one of <paramref name="parts"/>.</summary>
    private static List<int> Pids(params string[] parts)
    {
        var pids = new List<int>();
        foreach (string d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            try
            {
                string cmd = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                if (parts.All(p => cmd.Contains(p, StringComparison.Ordinal))) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    /// <summary>The processes whose parent is <paramref name="pid"/> (a monitor's child is its container's first process).</summary>
    private static IEnumerable<int> ChildrenOf(int pid)
    {
        foreach (string d in Directory.GetDirectories("/proc"))
        {
            // Only the numbered directories are processes (/proc/net/stat, for one, may not be readable).
            if (!int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(d, "stat")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            // pid (comm) state ppid ...: comm may hold spaces, so count from the last ')'.
            string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (rest.Length > 1 && rest[1] == pid.ToString(CultureInfo.InvariantCulture))
                yield return int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture);
        }
    }

    private static void KillAll(IEnumerable<int> pids)
    {
        foreach (int pid in pids)
        {
            try { Process.GetProcessById(pid).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }

    private static void Eventually(Func<bool> condition, string what, int seconds = 20)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(seconds), $"not within {seconds} s: {what}");
            Thread.Sleep(50);
        }
    }

    [RootFact]
    public void Sigkill_of_the_cli_the_monitor_or_the_container_at_random_moments_leaves_nothing_behind()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        string marker = Random.Shared.Next(1_000_000, 9_000_000).ToString(CultureInfo.InvariantCulture);
        Must("pull", "--tls-verify=false", env.Busybox);
        var kinds = new Dictionary<string, int>();
        for (int trial = 0; trial < Trials; trial++)
        {
            string kind = (trial % 6) switch
            {
                0 => "cli run -d",
                1 => "cli run --rm",
                2 => "monitor",
                3 => "container",
                4 => "cli rm -f",
                _ => "cli stop",
            };
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            int delay = random.Next(0, 400);
            switch (kind)
            {
                case "cli run -d":
                    KillAfter(Spawn("run", "-d", env.Busybox, "sleep", marker), delay);
                    break;
                case "cli run --rm":
                    KillAfter(Spawn("run", "--rm", env.Busybox, "sleep", marker), delay);
                    break;
                case "monitor":
                case "container":
                {
                    string id = Must("run", "-d", random.Next(2) == 0 ? "--rm" : "--restart=no", env.Busybox, "sleep", marker).Stdout.Trim();
                    Thread.Sleep(delay / 4);
                    var monitor = Pids("skiff-monitor", id);
                    KillAll(kind == "monitor" ? monitor : monitor.SelectMany(ChildrenOf));
                    break;
                }
                case "cli rm -f":
                {
                    string id = Must("run", "-d", env.Busybox, "sleep", marker).Stdout.Trim();
                    KillAfter(Spawn("rm", "-f", "-t", "0", id), delay / 2);
                    break;
                }
                default:
                {
                    string id = Must("run", "-d", env.Busybox, "sleep", marker).Stdout.Trim();
                    KillAfter(Spawn("stop", "-t", "1", id), delay);
                    break;
                }
            }
        }
        string context = $"seed {seed}, trials {string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))}";

        // Every later command copes with what the faults left: listing refreshes every record.
        var ps = Must("ps", "-a", "--format", "{{.ID}} {{.Status}}");
        foreach (string line in ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            env.SkiffIn(_store, "container", "cleanup", line.Split(' ')[0]); // may race a monitor's own cleanup: any exit is fine, but no hang
        // Up to two thirds of the trials leave a container running (stress runs thousands): allow a second each.
        var rm = Command.Run(env.SkiffPath, [.. StoreArgs, "rm", "-f", "-a", "-t", "0"], timeoutSeconds: Math.Max(180, Trials));
        Assert.True(rm.ExitCode == 0, $"skiff rm -f -a -t 0: {rm}");

        Eventually(() => Pids("sleep", marker).Count == 0, $"no container process left ({context})");
        Eventually(() => Pids("skiff-monitor", StoreDir).Count == 0, $"no monitor left ({context})");
        Assert.True(Must("ps", "-a", "-q").Stdout.Length == 0, $"no record left ({context})");
        Assert.True(HostState.MountsUnder(StoreDir) == 0, $"no mount left ({context})");
        string containers = Path.Combine(StoreDir, "root", "containers");
        var leftDirs = Directory.Exists(containers) ? Directory.GetDirectories(containers).Where(d => !Path.GetFileName(d).StartsWith("tmp-", StringComparison.Ordinal)).ToList() : [];
        Assert.True(leftDirs.Count == 0, $"no container directory left ({context}): {string.Join(' ', leftDirs)}");
        foreach (string sub in new[] { "containers", "exits", "sock" })
        {
            string dir = Path.Combine(StoreDir, "run", sub);
            var left = Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir) : [];
            Assert.True(left.Length == 0, $"nothing left in the run root's {sub} ({context}): {string.Join(' ', left)}");
        }
    }
}
