using System.Text.Json;
using System.Text.RegularExpressions;

namespace Skiff.EndToEnd.Runtime;

/// <summary>out/skiff-runtime's command line as a user (or podman, conmon) drives it: spec, list, features, flags, logs.</summary>
public partial class RuntimeVerbsTests
{
    public RuntimeVerbsTests()
    {
        Assert.True(Environment.UserName == "root", "the runtime end-to-end tests run as root");
    }

    private static Task<RunResult> Runtime(params string[] args) => Runner.RunAsync(RuntimeBinary.Path, args);

    /// <summary>A failure a user causes is one line on stderr: no stack trace, no .NET resource key.</summary>
    private static void AssertOneLineError(RunResult r, string expected)
    {
        Assert.Equal(1, r.ExitCode);
        string[] lines = r.Stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"more than one line:\n{r.Stderr}");
        Assert.StartsWith("skiff-runtime: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotMatch(ResourceKey(), lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    // A .NET resource key: Word_Word or a long CamelCase token such as DeserializeUnableToConvertValue.
    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*_[A-Za-z0-9_]+\b|\b(?:[A-Z][a-z0-9]+){4,}\b")]
    private static partial Regex ResourceKey();

    [Fact]
    public async Task SpecWritesRuncsExampleAndRefusesToOverwrite()
    {
        using var b = new TestBundle("true");
        string dir = Directory.CreateDirectory(Path.Combine(b.Dir, "spec")).FullName;
        var r = await Runtime("spec", "--bundle", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))))
        {
            Assert.Equal("sh", doc.RootElement.GetProperty("process").GetProperty("args")[0].GetString());
            Assert.Contains("network", doc.RootElement.GetProperty("linux").GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()));
        }
        AssertOneLineError(await Runtime("spec", "-b", dir), "config.json exists: remove it first");
        File.Delete(Path.Combine(dir, "config.json"));
        Assert.Equal(0, (await Runtime("spec", "--rootless", "-b", dir)).ExitCode);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))))
        {
            var types = doc.RootElement.GetProperty("linux").GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()).ToList();
            Assert.Contains("user", types);
            Assert.DoesNotContain("network", types);
            Assert.Equal(0, doc.RootElement.GetProperty("linux").GetProperty("uidMappings")[0].GetProperty("hostID").GetInt32());
        }
        AssertOneLineError(await Runtime("spec", "-b", Path.Combine(dir, "missing")), "does not exist");
    }

    [Fact]
    public async Task ListShowsTheContainersInEveryFormat()
    {
        using var b = new TestBundle("sleep", "100");
        Assert.Equal("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n", (await b.Runtime("list")).Stdout);
        var create = await b.Runtime("create", "--bundle", b.Dir, "--pid-file", Path.Combine(b.Dir, "pid"), "list1");
        Assert.True(create.ExitCode == 0, create.Stderr);
        string pid = File.ReadAllText(Path.Combine(b.Dir, "pid"));

        string[] table = (await b.Runtime("list")).Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, table.Length);
        Assert.Matches(@"^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$", table[0]);
        string[] row = table[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["list1", pid, "created", b.Dir], row[..4]);
        Assert.True(DateTimeOffset.TryParse(row[4], System.Globalization.CultureInfo.InvariantCulture, out _), row[4]);
        Assert.Equal("root", row[5]);

        Assert.Equal("list1\n", (await b.Runtime("list", "-q")).Stdout);
        using (var doc = JsonDocument.Parse((await b.Runtime("list", "--format", "json")).Stdout))
        {
            var e = doc.RootElement.EnumerateArray().Single();
            Assert.Equal(("list1", "created", b.Dir, "root"), (e.GetProperty("id").GetString(), e.GetProperty("status").GetString(),
                e.GetProperty("bundle").GetString(), e.GetProperty("owner").GetString()));
            Assert.Equal(pid, e.GetProperty("pid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        using (var state = JsonDocument.Parse((await b.Runtime("state", "list1")).Stdout))
            Assert.True(state.RootElement.TryGetProperty("created", out _), "state has no created");

        Assert.Equal(0, (await b.Runtime("delete", "--force", "list1")).ExitCode);
        Assert.Equal("[]\n", (await b.Runtime("list", "-f", "json")).Stdout);
    }

    [Fact]
    public async Task FeaturesIsCompleteJson()
    {
        var r = await Runtime("features");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(6, root.GetProperty("hooks").GetArrayLength());
        Assert.Contains("rbind", root.GetProperty("mountOptions").EnumerateArray().Select(o => o.GetString()));
        var linux = root.GetProperty("linux");
        Assert.Contains("CAP_SYS_ADMIN", linux.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        foreach (string part in new[] { "namespaces", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt", "mountExtensions" })
            Assert.True(linux.TryGetProperty(part, out _), part);
    }

    [Theory]
    [InlineData("delete --bogus c1", "delete: flag provided but not defined: --bogus")]
    [InlineData("delete c1 -x", "delete: flag provided but not defined: -x")]
    [InlineData("--bogus list", "flag provided but not defined: --bogus")]
    [InlineData("create --root /tmp c1", "create: --root is a global flag")]
    [InlineData("list --format=xml", "list --format xml: use table or json")]
    [InlineData("run --detach=maybe c1", "invalid boolean value \"maybe\" for --detach")]
    [InlineData("kill c1 SIGBOGUS", "invalid signal: SIGBOGUS")]
    [InlineData("frobnicate", "unknown command \"frobnicate\"")]
    [InlineData("start", "\"start\" takes exactly 1 argument")]
    [InlineData("checkpoint c1", "checkpoint is not supported")]
    [InlineData("--log-format yaml list", "invalid --log-format yaml")]
    public async Task UsageErrorsAreOneLine(string args, string expected) =>
        AssertOneLineError(await Runtime(args.Split(' ')), expected);

    [Fact]
    public async Task HelpListsVerbsAndFlags()
    {
        var r = await Runtime("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--console-socket value", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("exec ", r.Stdout, StringComparison.Ordinal);
        var exec = await Runtime("exec", "--help");
        Assert.Equal(0, exec.ExitCode);
        Assert.Contains("--additional-gids value, -g value", exec.Stdout, StringComparison.Ordinal);
        Assert.Equal(exec.Stdout, (await Runtime("help", "exec")).Stdout);
    }

    [Fact]
    public async Task ErrorsGoToTheJsonLogAsRuncWritesThem()
    {
        using var b = new TestBundle("true");
        string log = Path.Combine(b.Dir, "log.json");
        var r = await b.Runtime("--log", log, "--log-format", "json", "state", "nonexistent");
        AssertOneLineError(r, "container nonexistent does not exist");
        string[] lines = File.ReadAllLines(log);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.Equal(["level", "msg", "time"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("error", doc.RootElement.GetProperty("level").GetString());
        Assert.Equal("container nonexistent does not exist", doc.RootElement.GetProperty("msg").GetString());
        // A usage error after the global flags reaches the log too.
        await b.Runtime("--log", log, "--log-format", "json", "delete", "--bogus", "x");
        Assert.Contains("flag provided but not defined", File.ReadAllLines(log)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextLogAndDebugLines()
    {
        using var b = new TestBundle("true");
        string log = Path.Combine(b.Dir, "log.txt");
        Assert.Equal(0, (await b.Runtime("--log", log, "--debug", "list")).ExitCode);
        string[] lines = File.ReadAllLines(log);
        Assert.True(lines.Length >= 2, string.Join('\n', lines));
        Assert.All(lines, l => Assert.Matches("^time=\"[0-9T:Z-]+\" level=debug msg=\".*\"$", l));
        await b.Runtime("--log", log, "state", "nope");
        Assert.Matches("^time=\"[0-9T:Z-]+\" level=error msg=\"container nope does not exist\"$", File.ReadAllLines(log)[^1]);
        // Without --debug no debug line is written.
        int before = File.ReadAllLines(log).Length;
        await b.Runtime("--log", log, "list");
        Assert.Equal(before, File.ReadAllLines(log).Length);
    }

    [Fact]
    public async Task FileAndJsonErrorsAreWordsNotResourceKeys()
    {
        using var b = new TestBundle("true");
        AssertOneLineError(await b.Runtime("--log", Path.Combine(b.Dir, "no/such/dir/log"), "list"), "cannot open the log file");
        string bad = Directory.CreateDirectory(Path.Combine(b.Dir, "bad")).FullName;
        Directory.CreateDirectory(Path.Combine(bad, "rootfs"));
        File.WriteAllText(Path.Combine(bad, "config.json"), """{"process": {"args": "sh"}, "root": {"path": "rootfs"}}""");
        AssertOneLineError(await b.Runtime("create", "--bundle", bad, "bad1"), "invalid JSON at line 1");
        File.WriteAllText(Path.Combine(bad, "config.json"), """{"process": {""");
        AssertOneLineError(await b.Runtime("create", "--bundle", bad, "bad2"), "invalid JSON");
        AssertOneLineError(await b.Runtime("update", "-r", Path.Combine(b.Dir, "missing.json"), "c1"), "no such file");
    }
}
