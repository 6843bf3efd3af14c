using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Runtime;

/// <summary>Each process and linux field of config.json, seen from inside the container it configures.</summary>
public class ProcessFieldTests
{
    private static async Task<string> RunAsync(TestBundle b, string id)
    {
        var r = await b.Runtime("run", "--bundle", b.Dir, id);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        return r.Stdout;
    }

    private static TestBundle WithProbe(params string[] script)
    {
        var b = new TestBundle("sh", "-c", string.Join("; ", script));
        File.Copy(AttackPrograms.Build("probes/syscall"), Path.Combine(b.Dir, "rootfs/bin/probe"));
        return b;
    }

    [Fact]
    public async Task Umask_additional_gids_oom_score_adj_and_rlimits()
    {
        using var b = new TestBundle("sh", "-c", "umask; id -G; cat /proc/self/oom_score_adj; grep -E 'Max (processes|core file size)' /proc/self/limits | tr -s ' '");
        b.Process["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0, ["umask"] = 63, ["additionalGids"] = new JsonArray(10, 20) };
        b.Process["oomScoreAdj"] = 500;
        b.Process["rlimits"] = new JsonArray(
            new JsonObject { ["type"] = "RLIMIT_NPROC", ["soft"] = 100, ["hard"] = 200 },
            new JsonObject { ["type"] = "RLIMIT_CORE", ["soft"] = 0, ["hard"] = 0 });
        string output = string.Join('\n', (await RunAsync(b, "f1")).Split('\n').Select(l => l.TrimEnd()));
        Assert.Equal("0077\n0 10 20\n500\nMax core file size 0 0 bytes\nMax processes 100 200 processes\n", output);
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task Io_priority_scheduler_and_personality()
    {
        // ioprio_get(IOPRIO_WHO_PROCESS, 0), sched_getscheduler(0), personality(0xffffffff) (a query).
        using var b = WithProbe("probe 252 1 0", "probe 145 0", "probe 135 0xffffffff", "cut -d' ' -f19 /proc/self/stat");
        b.Process["ioPriority"] = new JsonObject { ["class"] = "IOPRIO_CLASS_BE", ["priority"] = 3 };
        b.Process["scheduler"] = new JsonObject { ["policy"] = "SCHED_BATCH", ["nice"] = 5 };
        b.Config["linux"]!["personality"] = new JsonObject { ["domain"] = "LINUX", ["flags"] = new JsonArray("ADDR_NO_RANDOMIZE") };
        Assert.Equal($"ok {(2 << 13) | 3}\nok 3\nok {0x40000}\n5\n", await RunAsync(b, "f2"));
    }

    [Fact]
    public async Task Domainname_hostname_and_a_time_namespace_with_offsets()
    {
        using var b = new TestBundle("sh", "-c", "hostname; cat /proc/sys/kernel/domainname; cut -d. -f1 /proc/uptime");
        b.Config["domainname"] = "skiff.test";
        b.Config["linux"]!["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "time" });
        b.Config["linux"]!["timeOffsets"] = new JsonObject { ["boottime"] = new JsonObject { ["secs"] = 86400 * 365, ["nanosecs"] = 0 } };
        string[] lines = (await RunAsync(b, "f3")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["skiffbox", "skiff.test"], lines[..2]);
        Assert.True(long.Parse(lines[2], CultureInfo.InvariantCulture) >= 86400 * 365, $"uptime {lines[2]}: the boottime offset was not applied");
        double hostUptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.True(hostUptime < 86400 * 365, "the host's own clock moved");
    }

    [Fact]
    public async Task Time_offsets_without_a_time_namespace_are_refused()
    {
        using var b = new TestBundle("true");
        b.Config["linux"]!["timeOffsets"] = new JsonObject { ["monotonic"] = new JsonObject { ["secs"] = 1 } };
        var r = await b.Runtime("create", "--bundle", b.Dir, "f4");
        Assert.Equal("skiff-runtime: linux.timeOffsets needs a new time namespace in linux.namespaces\n", r.Stderr);
    }

    [Fact]
    public async Task Hooks_run_in_order_at_their_moments_with_the_state_on_stdin()
    {
        using var b = new TestBundle("sh", "-c", "echo container-ran >> /hooklog/log");
        string logDir = Path.Combine(b.Dir, "hooklog");
        Directory.CreateDirectory(logDir);
        string log = Path.Combine(logDir, "log");
        b.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/hooklog", ["type"] = "bind", ["source"] = logDir, ["options"] = new JsonArray("bind", "rw"),
        });
        // Hooks in the runtime's namespaces write the host path; startContainer runs in the container and writes its mount.
        JsonObject Hook(string kind, string file) => new()
        {
            ["path"] = "/bin/sh",
            ["args"] = new JsonArray("sh", "-c", $"read state; echo \"{kind} $state\" >> {file}"),
        };
        b.Config["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(Hook("prestart", log)),
            ["createRuntime"] = new JsonArray(Hook("createRuntime", log)),
            ["createContainer"] = new JsonArray(Hook("createContainer", log)),
            ["startContainer"] = new JsonArray(Hook("startContainer", "/hooklog/log")),
            ["poststart"] = new JsonArray(Hook("poststart", log)),
            ["poststop"] = new JsonArray(Hook("poststop", log)),
        };
        await RunAsync(b, "hooks1");
        var lines = File.ReadAllLines(log);
        string[] kinds = [.. lines.Select(l => l.Split(' ')[0])];
        // poststart runs once start has let the program go: it may come before or after the program's own line.
        Assert.Equal(["prestart", "createRuntime", "createContainer", "startContainer"], kinds[..4]);
        Assert.Equal("poststop", kinds[^1]);
        Assert.Equal(["container-ran", "poststart"], kinds[4..^1].Order(StringComparer.Ordinal));
        foreach (string line in lines.Where(l => !l.StartsWith("container-ran", StringComparison.Ordinal)))
        {
            var state = JsonNode.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..])!;
            Assert.Equal("hooks1", state["id"]!.GetValue<string>());
            Assert.Equal(b.Dir, state["bundle"]!.GetValue<string>());
        }
        int pid = JsonNode.Parse(lines[0][(lines[0].IndexOf(' ', StringComparison.Ordinal) + 1)..])!["pid"]!.GetValue<int>();
        Assert.True(pid > 1, "the state carries the init's pid as the host sees it");
    }

    [Fact]
    public async Task A_failing_create_hook_fails_create_and_leaves_nothing()
    {
        using var b = new TestBundle("true");
        b.Config["hooks"] = new JsonObject
        {
            ["createRuntime"] = new JsonArray(new JsonObject { ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", "exit 3") }),
        };
        var r = await b.Runtime("create", "--bundle", b.Dir, "hooks2");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("createRuntime", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(b.StateRoot, "hooks2")));
    }

    [Fact]
    public async Task Directories_the_runtime_creates_are_0755()
    {
        using var b = new TestBundle("sh", "-c", "stat -c %a /work /newmount");
        b.Process["cwd"] = "/work";
        b.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/newmount", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("mode=755"),
        });
        string outside = Path.Combine(b.Dir, "rootfs");
        Assert.Equal("755\n755\n", await RunAsync(b, "umask1"));
        Assert.Equal((UnixFileMode)0x1ed, File.GetUnixFileMode(Path.Combine(outside, "work")));
        Assert.Equal((UnixFileMode)0x1ed, File.GetUnixFileMode(Path.Combine(outside, "newmount")));
    }
}
