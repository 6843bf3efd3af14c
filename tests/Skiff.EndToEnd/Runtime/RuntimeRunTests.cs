using System.Text.Json.Nodes;

namespace Skiff.EndToEnd.Runtime;

/// <summary>skiff-runtime against real bundles (root: mount namespaces need it).</summary>
public class RuntimeRunTests
{
    public RuntimeRunTests()
    {
        Assert.True(Environment.UserName == "root", "the runtime end-to-end tests run as root");
    }

    private static async Task<RunResult> RunAsync(TestBundle b, string id = "c1") => await b.Runtime("run", "--bundle", b.Dir, id);

    [Fact]
    public async Task RunPrintsHello()
    {
        using var b = new TestBundle("echo", "hello");
        var r = await RunAsync(b);
        Assert.Equal(("hello\n", 0), (r.Stdout, r.ExitCode));
        Assert.False(Directory.Exists(Path.Combine(b.StateRoot, "c1")), "run leaves no state behind");
    }

    [Fact]
    public async Task ExitCodePropagates()
    {
        using var b = new TestBundle("sh", "-c", "exit 7");
        Assert.Equal(7, (await RunAsync(b)).ExitCode);
    }

    [Fact]
    public async Task KilledContainerExitsWith128PlusSignal()
    {
        // PID 1 cannot kill itself (its namespace ignores signals it has no handler for): kill from outside.
        using var b = new TestBundle("sleep", "100");
        var run = RunAsync(b, "k1");
        string status = "";
        for (int i = 0; i < 400 && status != "running"; i++)
        {
            var s = await b.Runtime("state", "k1");
            status = s.ExitCode == 0 && s.Stdout.Contains("\"running\"", StringComparison.Ordinal) ? "running" : "";
            if (status != "running") await Task.Delay(25);
        }
        Assert.Equal("running", status);
        Assert.Equal(0, (await b.Runtime("kill", "k1", "9")).ExitCode);
        Assert.Equal(137, (await run).ExitCode);
    }

    [Fact]
    public async Task ProcessIsPid1AndSeesOnlyItsOwnProcesses()
    {
        using var b = new TestBundle("sh", "-c", "echo $$; ls /proc | grep -E '^[0-9]+$'");
        var r = await RunAsync(b);
        Assert.Equal(0, r.ExitCode);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1", lines[0]);
        // sh, ls and grep at most: pid 1 and a few small numbers.
        Assert.Contains("1", lines.Skip(1));
        Assert.All(lines.Skip(1), l => Assert.True(int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) < 10, $"pid {l} from outside"));
    }

    [Fact]
    public async Task HostnameIsSet()
    {
        using var b = new TestBundle("hostname");
        Assert.Equal("skiffbox\n", (await RunAsync(b)).Stdout);
    }

    [Fact]
    public async Task ProcessUserIsHonoured()
    {
        using var b = new TestBundle("sh", "-c", "id -u; id -g; grep CapEff /proc/self/status");
        b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1001 };
        var r = await RunAsync(b);
        Assert.Equal("1000\n1001\nCapEff:\t0000000000000000\n", r.Stdout);
    }

    [Fact]
    public async Task RootKeepsOnlyTheConfiguredCapabilities()
    {
        using var b = new TestBundle("grep", "CapBnd", "/proc/self/status");
        b.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = new JsonArray("CAP_CHOWN", "CAP_KILL"), ["effective"] = new JsonArray("CAP_CHOWN", "CAP_KILL"),
            ["permitted"] = new JsonArray("CAP_CHOWN", "CAP_KILL"),
        };
        Assert.Equal("CapBnd:\t0000000000000021\n", (await RunAsync(b)).Stdout);
    }

    /// <summary>The host's hard RLIMIT_NOFILE as /proc/self/limits shows it, and what a request of 1048576 becomes under it.</summary>
    internal static (string Expected, bool Clamped) NofileUnderHostHard()
    {
        string hostHard = File.ReadAllLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        bool clamped = hostHard != "unlimited" && ulong.Parse(hostHard, System.Globalization.CultureInfo.InvariantCulture) < 1048576;
        return (clamped ? hostHard : "1048576", clamped);
    }

    /// <summary>
    /// Podman's NOFILE 1048576 above the hard limit (20000 on the test machine, where root lacks CAP_SYS_RESOURCE):
    /// the container gets the hard limit, and create says so in one warning line naming the limit and both values.
    /// </summary>
    [Fact]
    public async Task PodmansNofileLimitIsClampedToTheHardLimitWithOneWarning()
    {
        using var b = new TestBundle("sh", "-c", "grep 'Max open files' /proc/self/limits; ulimit -n; ulimit -Hn");
        var r = await RunAsync(b);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var (expected, clamped) = NofileUnderHostHard();
        Assert.Matches($"^Max open files +{expected} +{expected} +files *\n{expected}\n{expected}\n$", r.Stdout);
        Assert.Equal(clamped ? $"skiff-runtime: warning: RLIMIT_NOFILE 1048576/1048576 is above this host's hard limit: the container gets {expected}/{expected}\n" : "",
            r.Stderr);
        // create (not run) says it too, once; start says nothing more.
        var create = await b.Runtime("create", "--bundle", b.Dir, "c2");
        Assert.True(create.ExitCode == 0, create.Stderr);
        Assert.Equal(r.Stderr, create.Stderr);
        var start = await b.Runtime("start", "c2");
        Assert.Equal(("", 0), (start.Stderr, start.ExitCode));
        await b.Runtime("delete", "--force", "c2");
    }

    [Fact]
    public async Task MissingCommandFailsCreateWith127()
    {
        using var b = new TestBundle("no-such-command");
        var r = await b.Runtime("create", "--bundle", b.Dir, "m1");
        Assert.Equal(127, r.ExitCode);
        Assert.Equal("skiff-runtime: executable file `no-such-command` not found in $PATH\n", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(b.StateRoot, "m1")));
    }

    [Fact]
    public async Task UnexecutableCommandFailsCreateWith126()
    {
        using var b = new TestBundle("/bin/data");
        File.WriteAllText(Path.Combine(b.Dir, "rootfs/bin/data"), "not a program");
        var r = await b.Runtime("create", "--bundle", b.Dir, "m2");
        Assert.Equal(126, r.ExitCode);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task UserNamespaceWithMappings()
    {
        using var b = new TestBundle("sh", "-c", "cat /proc/self/uid_map; id -u; echo x > /dev/null && echo devnull");
        b.Config["linux"]!["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "user" });
        b.Config["linux"]!["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        b.Config["linux"]!["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 });
        // The mapped root (host uid 100000) must be able to reach the rootfs, as with runc.
        // and owns it (podman's storage maps the layers' owners the same way).
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(b.Dir, (UnixFileMode)0x1ed);
        Assert.Equal(0, (await Runner.RunAsync("chown", ["-R", "100000:100000", Path.Combine(b.Dir, "rootfs")])).ExitCode);
        var r = await RunAsync(b);
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0", "100000", "65536"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["0", "devnull"], lines[1..]);
    }

    [Fact]
    public async Task RuncRunsTheSameBundle()
    {
        if (!File.Exists("/usr/bin/runc") && !File.Exists("/usr/sbin/runc")) return; // optional sanity check of the bundle itself
        using var b = new TestBundle("echo", "hello");
        b.Process.Remove("rlimits"); // runc fails on podman's NOFILE 1048576 here (no CAP_SYS_RESOURCE): we clamp, runc does not
        b.Save();
        var r = await Runner.RunAsync("/bin/sh", ["-c", "cd \"$0\" && exec runc --root \"$1\" run r1", b.Dir, b.StateRoot + "-runc"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("hello\n", r.Stdout);
    }
}
