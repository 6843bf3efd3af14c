using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Runtime;

/// <summary>
/// skiff-runtime's cgroups against the real kernel, as root: the limits land in the cgroup files (and
/// work: OOM kill, fork refused), pause/resume, update, kill --all, events, removal at delete, and the
/// device attack with the v1 devices controller and with the eBPF program.
/// </summary>
public class CgroupTests
{
    public CgroupTests()
    {
        Assert.True(RootFactAttribute.IsRoot, "the runtime end-to-end tests run as root");
    }

    /// <summary>The container's cgroup directories as the runtime recorded them (controller → dir, "" the cgroup2 one).</summary>
    private static Dictionary<string, string> CgroupPaths(TestBundle b, string id)
    {
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(b.StateRoot, id, "state.json")))!;
        return state["cgroup"]!["paths"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());
    }

    /// <summary>The directory holding a controller's files: its v1 hierarchy, else the cgroup2 directory.</summary>
    private static string Dir(Dictionary<string, string> paths, string v1Controller) =>
        paths.TryGetValue(v1Controller, out string? d) ? d : paths[""];

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();

    private static async Task<JsonNode> StateAsync(TestBundle b, string id)
    {
        var r = await b.Runtime("state", id);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return JsonNode.Parse(r.Stdout)!;
    }

    private static async Task<JsonNode> WaitForStatusAsync(TestBundle b, string id, string status)
    {
        JsonNode state = await StateAsync(b, id);
        for (int i = 0; i < 1200 && state["status"]!.GetValue<string>() != status; i++)
        {
            await Task.Delay(25);
            state = await StateAsync(b, id);
        }
        Assert.Equal(status, state["status"]!.GetValue<string>());
        return state;
    }

    private static async Task CreateAndStartAsync(TestBundle b, string id)
    {
        var create = await b.Runtime("create", "--bundle", b.Dir, id);
        Assert.True(create.ExitCode == 0, create.Stderr);
        var start = await b.Runtime("start", id);
        Assert.True(start.ExitCode == 0, start.Stderr);
    }

    private static JsonObject Resources(TestBundle b) =>
        (b.Config["linux"]!["resources"] ??= new JsonObject()).AsObject();

    [RootFact]
    public async Task LimitsLandInTheCgroupFilesAndTheDirectoriesGoAtDelete()
    {
        using var b = new TestBundle("sleep", "100");
        var r = Resources(b);
        r["memory"] = new JsonObject { ["limit"] = 67108864, ["reservation"] = 33554432 };
        r["pids"] = new JsonObject { ["limit"] = 33 };
        r["cpu"] = new JsonObject { ["shares"] = 512, ["quota"] = 150000, ["period"] = 100000 };
        await CreateAndStartAsync(b, "l1");
        var paths = CgroupPaths(b, "l1");
        if (paths.ContainsKey("memory"))
        {
            Assert.Equal("67108864", Read(paths["memory"], "memory.limit_in_bytes"));
            Assert.Equal("33554432", Read(paths["memory"], "memory.soft_limit_in_bytes"));
            Assert.Equal("512", Read(paths["cpu"], "cpu.shares"));
            Assert.Equal("150000", Read(paths["cpu"], "cpu.cfs_quota_us"));
            Assert.Equal("100000", Read(paths["cpu"], "cpu.cfs_period_us"));
        }
        else
        {
            Assert.Equal("67108864", Read(paths[""], "memory.max"));
            Assert.Equal("33554432", Read(paths[""], "memory.low"));
            Assert.Equal("20", Read(paths[""], "cpu.weight")); // 1 + (512 - 2) * 9999 / 262142
            Assert.Equal("150000 100000", Read(paths[""], "cpu.max"));
        }
        Assert.Equal("33", Read(Dir(paths, "pids"), "pids.max"));
        // The init is in every one of them.
        var state = await StateAsync(b, "l1");
        string pid = state["pid"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture);
        foreach (string dir in paths.Values.Distinct()) Assert.Contains(pid, File.ReadAllLines(Path.Combine(dir, "cgroup.procs")));

        Assert.Equal(0, (await b.Runtime("kill", "l1", "KILL")).ExitCode);
        await WaitForStatusAsync(b, "l1", "stopped");
        Assert.Equal(0, (await b.Runtime("delete", "l1")).ExitCode);
        foreach (string dir in paths.Values) Assert.False(Directory.Exists(dir), $"{dir} is left after delete");
    }

    [RootFact]
    public async Task TheContainerSeesItsOwnCgroupAsTheRootOfItsNamespace()
    {
        using var b = new TestBundle("cat", "/proc/self/cgroup");
        var r = await b.Runtime("run", "--bundle", b.Dir, "ns1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.EndsWith(":/", l, StringComparison.Ordinal));
    }

    [RootFact]
    public async Task MemoryLimitOomKillsTailOfDevZeroAndStateAndEventsSayOom()
    {
        // tail starts once the test has seen events watching (the file /go appears).
        using var b = new TestBundle("sh", "-c", "while [ ! -e /go ]; do sleep 1; done; exec tail /dev/zero");
        File.CreateSymbolicLink(Path.Combine(b.Dir, "rootfs/bin/tail"), "busybox");
        Resources(b)["memory"] = new JsonObject { ["limit"] = 16 << 20, ["swap"] = 16 << 20 };
        var create = await b.Runtime("create", "--bundle", b.Dir, "o1");
        Assert.True(create.ExitCode == 0, create.Stderr);
        Assert.False((await StateAsync(b, "o1"))["oomKilled"]!.GetValue<bool>());
        Assert.Equal(0, (await b.Runtime("start", "o1")).ExitCode);
        // events runs until the container stops: it must report the OOM kill. Its first line (stats) says it watches.
        string outFile = Path.Combine(b.Dir, "events.out");
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", "exec \"$0\" \"$@\" >\"$EVENTS_OUT\" 2>&1 </dev/null", RuntimeBinary.Path, .. b.Global("events", "--interval", "1h", "o1")]);
        psi.Environment["EVENTS_OUT"] = outFile;
        using var events = System.Diagnostics.Process.Start(psi)!;
        for (int i = 0; i < 2400 && !(File.Exists(outFile) && File.ReadAllText(outFile).Contains('\n', StringComparison.Ordinal)); i++) await Task.Delay(25);
        File.WriteAllText(Path.Combine(b.Dir, "rootfs/go"), "");
        var state = await WaitForStatusAsync(b, "o1", "stopped");
        Assert.True(state["oomKilled"]!.GetValue<bool>(), state.ToJsonString());
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await events.WaitForExitAsync(cts.Token);
        string output = File.ReadAllText(outFile);
        Assert.True(events.ExitCode == 0, output);
        var types = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["type"]!.GetValue<string>()).ToList();
        Assert.Equal("stats", types[0]);
        Assert.Contains("oom", types);
        Assert.Equal(0, (await b.Runtime("delete", "o1")).ExitCode);
    }

    [RootFact]
    public async Task PidsLimitStopsForks()
    {
        using var b = new TestBundle("sh", "-c", "i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); done; echo started");
        Resources(b)["pids"] = new JsonObject { ["limit"] = 8 };
        var r = await b.Runtime("run", "--bundle", b.Dir, "p1");
        Assert.Contains("can't fork", r.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task HugepageLimitGoesToTheHugetlbController()
    {
        using var b = new TestBundle("sleep", "100");
        Resources(b)["hugepageLimits"] = new JsonArray(new JsonObject { ["pageSize"] = "2MB", ["limit"] = 4194304 });
        await CreateAndStartAsync(b, "h1");
        var paths = CgroupPaths(b, "h1");
        // A hybrid host has hugetlb only in its cgroup2 tree (/sys/fs/cgroup/unified): the runtime uses it there.
        string file = paths.TryGetValue("hugetlb", out string? v1) ? Path.Combine(v1, "hugetlb.2MB.limit_in_bytes") : Path.Combine(paths[""], "hugetlb.2MB.max");
        Assert.Equal("4194304", File.ReadAllText(file).Trim());
        Assert.Equal(0, (await b.Runtime("delete", "--force", "h1")).ExitCode);
        Assert.False(File.Exists(file));
    }

    [RootFact]
    public async Task CpusetSwapBlockIoAndUnifiedLandInTheirFiles()
    {
        // A real disk's numbers (not a loop, ram or zram device), as podman's --device-read-bps gives them.
        string disk = Directory.GetDirectories("/sys/block").Select(Path.GetFileName).OfType<string>()
            .First(n => !n.StartsWith("loop", StringComparison.Ordinal) && !n.StartsWith("ram", StringComparison.Ordinal) && !n.StartsWith("zram", StringComparison.Ordinal));
        string[] numbers = File.ReadAllText($"/sys/block/{disk}/dev").Trim().Split(':');
        int major = int.Parse(numbers[0], CultureInfo.InvariantCulture), minor = int.Parse(numbers[1], CultureInfo.InvariantCulture);
        using var b = new TestBundle("sleep", "100");
        var r = Resources(b);
        r["cpu"] = new JsonObject { ["cpus"] = "0", ["mems"] = "0" };
        r["memory"] = new JsonObject { ["limit"] = 67108864, ["swap"] = 134217728 };
        r["blockIO"] = new JsonObject
        {
            ["throttleReadBpsDevice"] = new JsonArray(new JsonObject { ["major"] = major, ["minor"] = minor, ["rate"] = 1048576 }),
            ["throttleWriteIOPSDevice"] = new JsonArray(new JsonObject { ["major"] = major, ["minor"] = minor, ["rate"] = 100 }),
        };
        // unified: a file of a controller the cgroup2 tree has (on this hybrid host, hugetlb only).
        string[] unifiedControllers = File.Exists("/sys/fs/cgroup/unified/cgroup.controllers")
            ? File.ReadAllText("/sys/fs/cgroup/unified/cgroup.controllers").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : File.ReadAllText("/sys/fs/cgroup/cgroup.controllers").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        (string unifiedFile, string unifiedValue) = unifiedControllers.Contains("hugetlb") ? ("hugetlb.2MB.max", "6291456") : ("pids.max", "77");
        r["unified"] = new JsonObject { [unifiedFile] = unifiedValue };
        await CreateAndStartAsync(b, "s1");
        var paths = CgroupPaths(b, "s1");
        string device = $"{major}:{minor}";
        if (paths.TryGetValue("cpuset", out string? cpuset))
        {
            Assert.Equal("0", Read(cpuset, "cpuset.cpus"));
            Assert.Equal("0", Read(cpuset, "cpuset.mems"));
        }
        else
        {
            Assert.Equal("0", Read(paths[""], "cpuset.cpus"));
            Assert.Equal("0", Read(paths[""], "cpuset.mems"));
        }
        if (paths.TryGetValue("memory", out string? memory))
        {
            // memsw exists only with swap accounting; the limit is then memory plus swap, as the spec's swap is.
            if (File.Exists(Path.Combine(memory, "memory.memsw.limit_in_bytes"))) Assert.Equal("134217728", Read(memory, "memory.memsw.limit_in_bytes"));
        }
        else Assert.Equal("67108864", Read(paths[""], "memory.swap.max")); // v2 counts swap alone
        if (paths.TryGetValue("blkio", out string? blkio))
        {
            Assert.Equal($"{device} 1048576", Read(blkio, "blkio.throttle.read_bps_device"));
            Assert.Equal($"{device} 100", Read(blkio, "blkio.throttle.write_iops_device"));
        }
        else Assert.Matches($@"^{device} rbps=1048576 wbps=max riops=max wiops=100$", Read(paths[""], "io.max"));
        Assert.Equal(unifiedValue, Read(paths[""], unifiedFile));
        Assert.Equal(0, (await b.Runtime("delete", "--force", "s1")).ExitCode);
        Assert.All(paths.Values, d => Assert.False(Directory.Exists(d)));
    }

    [RootFact]
    public async Task PauseFreezesAndResumeThaws()
    {
        using var b = new TestBundle("sleep", "100");
        await CreateAndStartAsync(b, "f1");
        var paths = CgroupPaths(b, "f1");
        Assert.Equal(0, (await b.Runtime("pause", "f1")).ExitCode);
        var state = await StateAsync(b, "f1");
        Assert.Equal("paused", state["status"]!.GetValue<string>());
        int pid = state["pid"]!.GetValue<int>();
        if (paths.TryGetValue("freezer", out string? freezer)) Assert.Equal("FROZEN", Read(freezer, "freezer.state"));
        else Assert.Equal("1", Read(paths[""], "cgroup.freeze"));
        Assert.True(File.Exists($"/proc/{pid}/status"));
        var again = await b.Runtime("start", "f1");
        Assert.NotEqual(0, again.ExitCode);
        var deleteFrozen = await b.Runtime("delete", "f1");
        Assert.Contains("paused", deleteFrozen.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await b.Runtime("resume", "f1")).ExitCode);
        Assert.Equal("running", (await StateAsync(b, "f1"))["status"]!.GetValue<string>());
        Assert.NotEqual(0, (await b.Runtime("resume", "f1")).ExitCode);
        // A paused container can be force-deleted.
        Assert.Equal(0, (await b.Runtime("pause", "f1")).ExitCode);
        Assert.Equal(0, (await b.Runtime("delete", "--force", "f1")).ExitCode);
        Assert.All(paths.Values, d => Assert.False(Directory.Exists(d)));
    }

    [RootFact]
    public async Task UpdateChangesTheLimitsOfARunningContainer()
    {
        using var b = new TestBundle("sleep", "100");
        Resources(b)["memory"] = new JsonObject { ["limit"] = 67108864 };
        Resources(b)["pids"] = new JsonObject { ["limit"] = 33 };
        await CreateAndStartAsync(b, "u1");
        var paths = CgroupPaths(b, "u1");
        var u = await b.Runtime("update", "--memory", "128m", "--pids-limit", "44", "--cpu-quota", "20000", "--cpu-period", "100000", "u1");
        Assert.True(u.ExitCode == 0, u.Stderr);
        Assert.Equal("44", Read(Dir(paths, "pids"), "pids.max"));
        if (paths.ContainsKey("memory"))
        {
            Assert.Equal("134217728", Read(paths["memory"], "memory.limit_in_bytes"));
            Assert.Equal("20000", Read(paths["cpu"], "cpu.cfs_quota_us"));
        }
        else
        {
            Assert.Equal("134217728", Read(paths[""], "memory.max"));
            Assert.Equal("20000 100000", Read(paths[""], "cpu.max"));
        }
        // -r takes linux.resources JSON.
        string file = Path.Combine(b.Dir, "res.json");
        File.WriteAllText(file, """{"pids":{"limit":55}}""");
        Assert.Equal(0, (await b.Runtime("update", "-r", file, "u1")).ExitCode);
        Assert.Equal("55", Read(Dir(paths, "pids"), "pids.max"));
        var bad = await b.Runtime("update", "--memory", "lots", "u1");
        Assert.Equal(1, bad.ExitCode);
        Assert.Single(bad.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [RootFact]
    public async Task KillAllSignalsEveryProcessOfTheCgroup()
    {
        // Without a pid namespace the children outlive their parent: only --all reaches them.
        using var b = new TestBundle("sh", "-c", "sleep 100 & sleep 100 & sleep 100 & wait");
        var ns = b.Config["linux"]!["namespaces"]!.AsArray();
        ns.Remove(ns.First(n => n!["type"]!.GetValue<string>() == "pid"));
        await CreateAndStartAsync(b, "k1");
        var pids = await PidsAsync(b, "k1");
        for (int i = 0; i < 400 && pids.Count < 4; i++)
        {
            await Task.Delay(25);
            pids = await PidsAsync(b, "k1");
        }
        Assert.Equal(4, pids.Count);
        var table = await b.Runtime("ps", "k1");
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Equal(3, table.Stdout.Split('\n').Count(l => l.TrimEnd().EndsWith(" sleep 100", StringComparison.Ordinal)));
        Assert.Equal(0, (await b.Runtime("kill", "--all", "k1", "KILL")).ExitCode);
        for (int i = 0; i < 400 && (await PidsAsync(b, "k1")).Count > 0; i++) await Task.Delay(25);
        Assert.Empty(await PidsAsync(b, "k1"));
        Assert.All(pids, p => Assert.False(IsLive(p), $"pid {p} survived kill --all"));
        Assert.Equal(0, (await b.Runtime("delete", "k1")).ExitCode);
    }

    private static async Task<List<int>> PidsAsync(TestBundle b, string id)
    {
        var r = await b.Runtime("ps", "--format", "json", id);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return JsonSerializer.Deserialize<List<int>>(r.Stdout)!;
    }

    private static bool IsLive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException) { return false; }
    }

    [RootFact]
    public async Task EventsStatsHasRuncsShape()
    {
        using var b = new TestBundle("sleep", "100");
        Resources(b)["memory"] = new JsonObject { ["limit"] = 67108864 };
        Resources(b)["pids"] = new JsonObject { ["limit"] = 33 };
        await CreateAndStartAsync(b, "e1");
        var r = await b.Runtime("events", "--stats", "e1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var ev = JsonNode.Parse(r.Stdout.Trim())!;
        Assert.Equal("stats", ev["type"]!.GetValue<string>());
        Assert.Equal("e1", ev["id"]!.GetValue<string>());
        var data = ev["data"]!;
        Assert.Equal(67108864UL, data["memory"]!["usage"]!["limit"]!.GetValue<ulong>());
        Assert.True(data["memory"]!["usage"]!["usage"]!.GetValue<ulong>() > 0);
        Assert.Equal(1UL, data["pids"]!["current"]!.GetValue<ulong>());
        Assert.Equal(33UL, data["pids"]!["limit"]!.GetValue<ulong>());
        Assert.True(data["cpu"]!["usage"]!["total"]!.GetValue<ulong>() > 0);
        foreach (string key in new[] { "cpuset", "blkio", "hugetlb", "intel_rdt" }) Assert.NotNull(data[key]);
        Assert.True(data.AsObject().ContainsKey("network_interfaces"));
    }

    /// <summary>The device attack: root with CAP_MKNOD may make the nodes (as with runc) but never open them.</summary>
    [RootFact]
    public async Task DeviceNodesCanBeMadeButNotOpenedWithTheV1DevicesController() => await DeviceAttackAsync(ebpf: false);

    [RootFact]
    public async Task DeviceNodesCanBeMadeButNotOpenedWithTheEbpfProgram() => await DeviceAttackAsync(ebpf: true);

    private static async Task DeviceAttackAsync(bool ebpf)
    {
        using var b = new TestBundle("sh", "-c",
            "mknod /tmp/kvm c 10 232 && mknod /tmp/loop-control c 10 237 && mknod /tmp/fuse c 10 229 && echo made; " +
            "for d in kvm loop-control fuse; do cat /tmp/$d >/dev/null 2>/tmp/err || cat /tmp/err; echo x 2>/tmp/err >/tmp/$d || cat /tmp/err; done; " +
            "echo ok > /dev/null && head -c 4 /dev/zero | wc -c");
        File.CreateSymbolicLink(Path.Combine(b.Dir, "rootfs/bin/mknod"), "busybox");
        File.CreateSymbolicLink(Path.Combine(b.Dir, "rootfs/bin/head"), "busybox");
        Directory.CreateDirectory(Path.Combine(b.Dir, "rootfs/tmp"));
        foreach (string set in new[] { "bounding", "effective", "permitted" }) b.Process["capabilities"]![set]!.AsArray().Add("CAP_MKNOD");
        // What podman writes: deny all, the runtime adds the defaults.
        Resources(b)["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" });
        if (ebpf) b.Config["annotations"] = new JsonObject { ["org.skiff.cgroup.devices"] = "ebpf" };
        var create = await b.Runtime("create", "--bundle", b.Dir, "d1");
        Assert.True(create.ExitCode == 0, create.Stderr);
        var paths = CgroupPaths(b, "d1");
        if (ebpf && paths.TryGetValue("devices", out string? v1))
            Assert.Equal("a *:* rwm", Read(v1, "devices.list")); // the v1 controller is left open: eBPF alone must refuse
        Assert.Equal(0, (await b.Runtime("delete", "d1")).ExitCode);
        var run = await b.Runtime("run", "--bundle", b.Dir, "d2");
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("made", lines[0]);
        Assert.Equal(6, lines.Count(l => l.Contains("Operation not permitted", StringComparison.Ordinal)));
        Assert.Equal("4", lines[^1].Trim());
        Assert.Equal(0, run.ExitCode);
    }

    [RootFact]
    public async Task SameLimitFilesAsRuncForPodmansMemoryPidsAndCpus()
    {
        string? runc = new[] { "/usr/sbin/runc", "/usr/bin/runc" }.FirstOrDefault(File.Exists);
        Assert.True(runc is not null, "runc is installed by .ci/run");
        // The resources podman 4.3 writes for --memory 64m --pids-limit 33 --cpus 1.5.
        var files = new Dictionary<string, string>[2];
        for (int i = 0; i < 2; i++)
        {
            using var b = new TestBundle("sleep", "100");
            b.Process.Remove("rlimits");
            var r = Resources(b);
            r["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" });
            r["memory"] = new JsonObject { ["limit"] = 67108864, ["swap"] = 134217728 };
            r["cpu"] = new JsonObject { ["quota"] = 150000, ["period"] = 100000 };
            r["pids"] = new JsonObject { ["limit"] = 33 };
            b.Save();
            string id = "cmp" + i;
            if (i == 0) Assert.Equal(0, (await b.Runtime("run", "--detach", "--bundle", b.Dir, id)).ExitCode);
            else
            {
                var rr = await Runner.RunAsync("/bin/sh", ["-c", "cd \"$0\" && exec \"$1\" --root \"$2\" run --detach \"$3\"", b.Dir, runc!, b.StateRoot + "-runc", id]);
                Assert.True(rr.ExitCode == 0, rr.Stderr);
            }
            string cg = b.Config["linux"]!["cgroupsPath"]!.GetValue<string>();
            files[i] = LimitFiles(cg);
            if (i == 1) await Runner.RunAsync(runc!, ["--root", b.StateRoot + "-runc", "delete", "--force", id]);
        }
        Assert.NotEmpty(files[0]);
        Assert.Equal(files[1], files[0]);
    }

    /// <summary>The limit files podman's flags touch, wherever this host keeps them.</summary>
    private static Dictionary<string, string> LimitFiles(string cgroupPath)
    {
        var result = new Dictionary<string, string>();
        foreach (string f in new[]
        {
            "memory/memory.limit_in_bytes", "memory/memory.memsw.limit_in_bytes", "memory/memory.soft_limit_in_bytes", "memory/memory.swappiness",
            "pids/pids.max", "cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us", "cpu/cpu.shares", "devices/devices.list",
            "memory.max", "memory.swap.max", "pids.max", "cpu.max", "cpu.weight",
        })
        {
            string[] parts = f.Split('/');
            string path = parts.Length == 2 ? $"/sys/fs/cgroup/{parts[0]}{cgroupPath}/{parts[1]}" : $"/sys/fs/cgroup{cgroupPath}/{f}";
            if (File.Exists(path)) result[f] = File.ReadAllText(path).Trim();
        }
        return result;
    }
}

/// <summary>
/// skiff-runtime as rootless Skiff runs it: uid 0 of a user namespace that an unprivileged user made (here with
/// unshare --map-root-user as skifftest). Cgroups are used only where delegated.
/// </summary>
public class RootlessCgroupTests
{
    private const string User = TestBundle.RootlessUser;

    private static Task<RunResult> RunRootlessAsync(TestBundle b, string id) => AsUserAsync(b, "run", "--bundle", b.Dir, id);

    /// <summary>skiff-runtime (global flags, then the verb) as the user, as uid 0 of a user namespace of its own.</summary>
    private static Task<RunResult> AsUserAsync(TestBundle b, params string[] args)
    {
        // Podman's NOFILE 1048576 is above the user's hard limit: clamped, with a warning these tests do not look for.
        b.Process.Remove("rlimits");
        return AsUserKeepingRlimitsAsync(b, args);
    }

    private static Task<RunResult> AsUserKeepingRlimitsAsync(TestBundle b, params string[] args) => b.RuntimeRootless(args);

    /// <summary>Rootless, podman's NOFILE 1048576 is clamped to the user's hard limit with one warning line too.</summary>
    [RootFact]
    public async Task NofileAboveTheUsersHardLimitIsClampedWithOneWarning()
    {
        using var b = new TestBundle("grep", "Max open files", "/proc/self/limits");
        var r = await AsUserKeepingRlimitsAsync(b, "run", "--bundle", b.Dir, "n1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var (expected, clamped) = RuntimeRunTests.NofileUnderHostHard();
        Assert.Matches($"^Max open files +{expected} +{expected} +files *\n$", r.Stdout);
        Assert.Equal(clamped ? $"skiff-runtime: warning: RLIMIT_NOFILE 1048576/1048576 is above this host's hard limit: the container gets {expected}/{expected}\n" : "",
            r.Stderr);
    }

    /// <summary>
    /// --rootless decides, not the euid: this user has no cgroup delegated, so true runs the container without a cgroup
    /// and false fails in one line, leaving nothing behind.
    /// </summary>
    [RootFact]
    public async Task RootlessTrueRunsWithoutACgroupAndRootlessFalseFailsInOneLine()
    {
        using var b = new TestBundle("sh", "-c", "echo hi; cat /proc/self/cgroup");
        string own = File.ReadAllText("/proc/self/cgroup");
        var yes = await AsUserAsync(b, "--rootless", "true", "run", "--bundle", b.Dir, "t1");
        Assert.True(yes.ExitCode == 0, yes.Stderr);
        Assert.Equal("", yes.Stderr);
        Assert.StartsWith("hi\n", yes.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetFileName(b.Dir), yes.Stdout, StringComparison.Ordinal); // no cgroup of its own

        var no = await AsUserAsync(b, "--rootless", "false", "run", "--bundle", b.Dir, "f1");
        Assert.Equal(1, no.ExitCode);
        Assert.Equal("", no.Stdout);
        string line = Assert.Single(no.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("skiff-runtime: cannot create the container's cgroup: mkdir /sys/fs/cgroup/", line, StringComparison.Ordinal);
        Assert.Contains(": Permission denied (--rootless false: ", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(b.StateRoot, "f1")));
        Assert.Equal(own, File.ReadAllText("/proc/self/cgroup"));
    }

    /// <summary>The choice is kept in the container's state: later verbs, whatever their --rootless, act on it.</summary>
    [RootFact]
    public async Task RootlessTrueIsRecordedForUpdateKillAndDelete()
    {
        using var b = new TestBundle("sleep", "300");
        var run = await AsUserAsync(b, "--rootless", "true", "run", "--detach", "--bundle", b.Dir, "k1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(b.StateRoot, "k1", "state.json")))!["cgroup"]!;
        Assert.True(state["rootless"]!.GetValue<bool>());
        Assert.Empty(state["paths"]!.AsObject());
        // A limit without a cgroup is a warning for this container, even when update says --rootless false.
        var update = await AsUserAsync(b, "--rootless", "false", "update", "--pids-limit", "10", "k1");
        Assert.True(update.ExitCode == 0, update.Stderr);
        Assert.Equal("skiff-runtime: warning: resource limits are not supported and ignored: cgroups (pids) are not delegated to this user\n", update.Stderr);
        // kill --all without a cgroup signals the init.
        var kill = await AsUserAsync(b, "--rootless", "false", "kill", "--all", "k1", "KILL");
        Assert.True(kill.ExitCode == 0, kill.Stderr);
        string status = "";
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (status != "stopped" && sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            var st = await AsUserAsync(b, "state", "k1");
            status = JsonNode.Parse(st.Stdout)!["status"]!.GetValue<string>();
            if (status != "stopped") await Task.Delay(25);
        }
        Assert.Equal("stopped", status);
        var delete = await AsUserAsync(b, "--rootless", "false", "delete", "k1");
        Assert.True(delete.ExitCode == 0, delete.Stderr);
        Assert.False(Directory.Exists(Path.Combine(b.StateRoot, "k1")));
    }

    [RootFact]
    public async Task WithoutLimitsAContainerRunsWithoutAWord()
    {
        using var b = new TestBundle("echo", "hi");
        var r = await RunRootlessAsync(b, "r1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("hi\n", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [RootFact]
    public async Task LimitsWhereCgroupsAreNotDelegatedGiveOneWarningAndLimitsWhereTheyAreApply()
    {
        // The pids hierarchy delegates a subtree to the user, as an administrator would; memory does not.
        string name = "skiff-e2e-rootless-" + Guid.NewGuid().ToString("N")[..8];
        string delegated = Path.Combine("/sys/fs/cgroup/pids", name);
        if (!Directory.Exists("/sys/fs/cgroup/pids") || !Directory.Exists("/sys/fs/cgroup/memory")) return; // a cgroup v1 host's test
        Directory.CreateDirectory(delegated);
        try
        {
            Assert.Equal(0, (await Runner.RunAsync("chown", ["-R", User, delegated])).ExitCode);
            // The container's /sys/fs/cgroup/pids is its own cgroup (the root of its cgroup namespace).
            using var b = new TestBundle("sh", "-c", "grep pids /proc/self/cgroup; cat /sys/fs/cgroup/pids/pids.max");
            b.Config["linux"]!["cgroupsPath"] = $"/{name}/c1";
            b.Config["linux"]!["resources"] = new JsonObject { ["memory"] = new JsonObject { ["limit"] = 67108864 }, ["pids"] = new JsonObject { ["limit"] = 7 } };
            var r = await RunRootlessAsync(b, "r2");
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Equal("skiff-runtime: warning: resource limits are not supported and ignored: cgroups (memory) are not delegated to this user\n", r.Stderr);
            // The container is in the delegated cgroup, the root of its cgroup namespace, with the limit.
            Assert.EndsWith("pids:/\n7\n", r.Stdout, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(delegated, "c1")), "the container's cgroup is removed with it");
        }
        finally
        {
            Directory.Delete(delegated);
        }
    }
}
