using System.Diagnostics;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// The daemonless lifecycle as a user types it: `run -d` returns while the container lives on under its monitor,
/// and later commands (other processes) list, read, stop, restart and remove it. Each test uses a store of its own.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class LifecycleTests(SkiffEnvironment env)
{
    private readonly string _store = "life-" + Guid.NewGuid().ToString("N")[..8];

    private CommandResult S(params string[] args) => env.SkiffIn(_store, args);

    private CommandResult Must(params string[] args)
    {
        var r = S(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
        return r;
    }

    /// <summary>A number no other test's container uses, to find this test's processes in /proc.</summary>
    private static string Marker() => Random.Shared.Next(1_000_000, 9_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int ProcessesWith(string marker) => HostState.ProcessesWith(marker);

    private static void Eventually(Func<bool> condition, string what, int seconds = 15)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(seconds), $"not within {seconds} s: {what}");
            Thread.Sleep(50);
        }
    }

    private static int MountsUnder(string dir) => HostState.MountsUnder(dir);

    private string StoreDir => Path.Combine(env.Work, _store);

    [RootFact]
    public void Run_detached_lives_on_and_later_commands_control_it()
    {
        string marker = Marker();
        var run = Must("run", "-d", "--name", "web", "--tls-verify=false", env.Busybox, "sh", "-c", $"echo started; exec sleep {marker}");
        string id = run.Stdout.Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.Equal(1, ProcessesWith(marker));
        Eventually(() => S("logs", "web").Stdout == "started\n", "logs shows the container's output");
        Assert.Contains("Up ", Must("ps").Stdout, StringComparison.Ordinal);
        Assert.Equal(id[..12] + "\n", Must("ps", "-q").Stdout);

        var stop = Must("stop", "-t", "1", "web");
        Assert.Equal("web\n", stop.Stdout);
        Assert.Equal(0, ProcessesWith(marker));
        Assert.Contains("Exited (137)", Must("ps", "-a").Stdout, StringComparison.Ordinal); // sleep as PID 1 ignores SIGTERM
        Assert.Equal("", Must("ps", "-q").Stdout);

        Must("start", "web");
        Assert.Equal(1, ProcessesWith(marker));
        Must("restart", "-t", "0", "web");
        Assert.Equal(1, ProcessesWith(marker));
        Eventually(() => S("logs", "web").Stdout == "started\nstarted\nstarted\n", "one line per start in the log");

        var rm = S("rm", "web");
        Assert.Equal(2, rm.ExitCode);
        Assert.Contains("cannot remove container", rm.Stderr, StringComparison.Ordinal);
        Assert.Equal(id + "\n", Must("rm", "-f", "-t", "0", "web").Stdout);
        Assert.Equal(0, ProcessesWith(marker));
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
        Assert.Equal(0, MountsUnder(StoreDir));
    }

    [RootFact]
    public void A_detached_rm_container_removes_itself_when_it_exits()
    {
        Must("run", "-d", "--rm", "--tls-verify=false", env.Busybox, "sh", "-c", "sleep 0.2");
        Eventually(() => S("ps", "-a", "-q").Stdout == "", "the container removed itself");
        Assert.Equal(0, MountsUnder(StoreDir));
    }

    [RootFact]
    public void On_failure_restarts_the_given_number_of_times_then_stays_exited()
    {
        Must("run", "-d", "--name", "crash", "--restart", "on-failure:3", "--tls-verify=false", env.Busybox, "sh", "-c", "echo try; exit 3");
        Eventually(() => S("logs", "crash").Stdout == "try\ntry\ntry\ntry\n" && S("ps", "-a").Stdout.Contains("Exited (3)", StringComparison.Ordinal),
            "4 runs (1 + 3 restarts), then exited");
        Thread.Sleep(500);
        Assert.Equal("try\ntry\ntry\ntry\n", Must("logs", "crash").Stdout);
        Assert.Equal("3\n", Must("wait", "crash").Stdout);
    }

    [RootFact]
    public void Kill_wait_and_logs_options()
    {
        Must("run", "-d", "--name", "k", "--tls-verify=false", env.Busybox, "sh", "-c", "trap 'echo got-usr1; exit 9' USR1; echo two >&2; sleep 0.5; echo one; echo three; while true; do sleep 0.1; done");
        Eventually(() => S("logs", "k").Stdout == "one\nthree\n", "stdout lines in the log");
        Assert.Equal("two\n", Must("logs", "k").Stderr);
        // --tail counts lines of the log, whichever stream: stdout and stderr come through separate pipes, so only
        // lines written apart in time have a fixed order (two, then one and three).
        Assert.Equal("three\n", Must("logs", "--tail", "1", "k").Stdout);
        Assert.Equal("one\nthree\n", Must("logs", "--tail", "2", "k").Stdout);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d one$", Must("logs", "-t", "k").Stdout.Split('\n')[0]);
        Assert.Equal("", Must("logs", "--since", "2h", "--until", "1h", "k").Stdout);
        Assert.Equal("k\n", Must("kill", "-s", "USR1", "k").Stdout);
        Assert.Equal("9\n", Must("wait", "k").Stdout);
        Assert.Contains("got-usr1", Must("logs", "k").Stdout, StringComparison.Ordinal);
        var again = S("kill", "k");
        Assert.Equal(125, again.ExitCode);
        Assert.Contains("can only kill running containers", again.Stderr, StringComparison.Ordinal);
        var bad = S("kill", "-s", "NOPE", "k");
        Assert.Equal(125, bad.ExitCode);
        Assert.Equal("Error: invalid signal: NOPE\n", bad.Stderr);
    }

    [RootFact]
    public void Logs_follow_ends_when_the_container_exits()
    {
        Must("run", "-d", "--name", "f", "--tls-verify=false", env.Busybox, "sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.2; done");
        Assert.Equal("1\n2\n3\n", Must("logs", "-f", "f").Stdout);
    }

    [RootFact]
    public void Create_then_start_attached_gives_the_exit_code()
    {
        string id = Must("create", "--name", "c", "--tls-verify=false", env.Busybox, "sh", "-c", "echo out; exit 4").Stdout.Trim();
        Assert.Contains("Created", Must("ps", "-a").Stdout, StringComparison.Ordinal);
        var start = S("start", "-a", "c");
        Assert.Equal(4, start.ExitCode);
        Assert.Equal("out\n", start.Stdout);
        Assert.Equal(id + "\n", Must("rm", "c").Stdout);
    }

    [RootFact]
    public void A_killed_cli_leaves_nothing_that_rm_cannot_remove()
    {
        string marker = Marker();
        Must("pull", "--tls-verify=false", env.Busybox);
        for (int i = 0; i < 12; i++)
        {
            var psi = new ProcessStartInfo(env.SkiffPath) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
            foreach (string a in new[] { "--root", Path.Combine(StoreDir, "root"), "--runroot", Path.Combine(StoreDir, "run"), "run", "--rm", env.Busybox, "sleep", marker })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            Thread.Sleep(5 + 8 * i);
            p.Kill();
            p.WaitForExit();
        }
        Must("rm", "-f", "-a", "-t", "0");
        Eventually(() => ProcessesWith(marker) == 0, "no container process left");
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
        Assert.Equal(0, MountsUnder(StoreDir));
        // On a loaded machine every kill may come before the first container directory was made.
        string containers = Path.Combine(StoreDir, "root", "containers");
        if (Directory.Exists(containers))
            Assert.DoesNotContain(Directory.GetDirectories(containers), d => !Path.GetFileName(d).StartsWith("tmp-", StringComparison.Ordinal));
    }

    [RootFact]
    public void After_a_reboot_running_containers_show_exited_and_start_again()
    {
        string marker = Marker();
        Must("run", "-d", "--name", "boot", "--tls-verify=false", env.Busybox, "sleep", marker);
        // A reboot: every process gone, the run directory (a tmpfs) empty, the mounts gone.
        foreach (string d in Directory.GetDirectories("/proc"))
        {
            try
            {
                string cmd = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains(marker, StringComparison.Ordinal) || (cmd.Contains("skiff-monitor", StringComparison.Ordinal) && cmd.Contains(StoreDir, StringComparison.Ordinal)))
                    Command.Run("kill", ["-9", Path.GetFileName(d)]);
            }
            catch (IOException) { }
        }
        foreach (string line in File.ReadAllLines("/proc/self/mountinfo"))
            if (line.Split(' ')[4].StartsWith(StoreDir, StringComparison.Ordinal)) Command.Run("umount", ["-l", line.Split(' ')[4]]);
        Directory.Delete(Path.Combine(StoreDir, "run"), recursive: true);
        Eventually(() => ProcessesWith(marker) == 0, "the container is gone");
        Assert.Contains("Exited", Must("ps", "-a").Stdout, StringComparison.Ordinal);
        Must("start", "boot");
        Assert.Equal(1, ProcessesWith(marker));
        Must("rm", "-f", "-t", "0", "boot");
        Assert.Equal(0, ProcessesWith(marker));
    }

    [RootFact]
    public void Bad_input_is_one_line_with_podmans_exit_code_and_creates_nothing()
    {
        var noImage = S("run", "-d", "--tls-verify=false", env.Registry + "/library/nothing-here", "true");
        Assert.Equal(125, noImage.ExitCode);
        var badRestart = S("run", "-d", "--restart", "sometimes", "--tls-verify=false", env.Busybox, "true");
        Assert.Equal(125, badRestart.ExitCode);
        Assert.Equal("Error: invalid restart policy \"sometimes\": use no, on-failure[:max-retries], always or unless-stopped\n", badRestart.Stderr);
        Must("create", "--name", "taken", "--tls-verify=false", env.Busybox, "true");
        var taken = S("create", "--name", "taken", "--tls-verify=false", env.Busybox, "true");
        Assert.Equal(125, taken.ExitCode);
        Assert.Contains("is already in use", taken.Stderr, StringComparison.Ordinal);
        Assert.Single(Must("ps", "-a", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var missing = S("stop", "nosuch");
        Assert.Equal(125, missing.ExitCode);
        Assert.Equal("Error: no container with name or ID \"nosuch\" found: no such container\n", missing.Stderr);
        Assert.Equal(1, S("rm", "nosuch").ExitCode);
        Assert.Equal(0, S("rm", "--ignore", "nosuch").ExitCode);
        Assert.Equal(1, S("container", "exists", "nosuch").ExitCode);
        Assert.Equal(0, S("container", "exists", "taken").ExitCode);
    }

    [RootFact]
    public void Rmi_refuses_an_image_in_use_and_rmi_force_stops_and_removes_its_containers_first()
    {
        string marker = Marker();
        Must("run", "-d", "--name", "user", "--stop-timeout", "1", "--tls-verify=false", env.Busybox, "sleep", marker);
        Must("create", "--name", "idle", env.Busybox, "true");
        var plain = S("rmi", env.Busybox);
        Assert.Equal(2, plain.ExitCode);
        Assert.Contains("image is in use by a container", plain.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, ProcessesWith(marker));

        var forced = Must("rmi", "-f", env.Busybox);
        Assert.Contains("Deleted: ", forced.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, ProcessesWith(marker));
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
        Assert.Equal("", Must("images", "-q").Stdout);
        Assert.Equal(0, MountsUnder(StoreDir));
    }
}
