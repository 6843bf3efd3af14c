using System.Text.Json;

namespace Skiff.EndToEnd.Runtime;

public class RuntimeLifecycleTests
{
    public RuntimeLifecycleTests()
    {
        Assert.True(Environment.UserName == "root", "the runtime end-to-end tests run as root");
    }

    private static async Task<(string Status, int Pid)> StateAsync(TestBundle b, string id)
    {
        var r = await b.Runtime("state", id);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(id, doc.RootElement.GetProperty("id").GetString());
        Assert.Equal(b.Dir, doc.RootElement.GetProperty("bundle").GetString());
        return (doc.RootElement.GetProperty("status").GetString()!, doc.RootElement.GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task CreateStartStateKillDelete()
    {
        using var b = new TestBundle("sleep", "100");
        string pidFile = Path.Combine(b.Dir, "pid");
        var create = await b.Runtime("create", "--bundle", b.Dir, "--pid-file", pidFile, "l1");
        Assert.True(create.ExitCode == 0, create.Stderr);
        var (status, pid) = await StateAsync(b, "l1");
        Assert.Equal("created", status);
        Assert.Equal(File.ReadAllText(pidFile), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEqual("sleep", File.ReadAllText($"/proc/{pid}/comm").Trim());

        Assert.Equal(0, (await b.Runtime("start", "l1")).ExitCode);
        Assert.Equal(("running", pid), await StateAsync(b, "l1"));
        Assert.Equal("sleep", File.ReadAllText($"/proc/{pid}/comm").Trim());
        Assert.Equal(1, (await b.Runtime("start", "l1")).ExitCode);

        var deleteRunning = await b.Runtime("delete", "l1");
        Assert.Equal(1, deleteRunning.ExitCode);
        Assert.Contains("not stopped", deleteRunning.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await b.Runtime("kill", "l1", "KILL")).ExitCode);
        string final = "";
        for (int i = 0; i < 200 && final != "stopped"; i++)
        {
            final = (await StateAsync(b, "l1")).Status;
            if (final != "stopped") await Task.Delay(25);
        }
        Assert.Equal("stopped", final);
        Assert.Equal(0, (await b.Runtime("delete", "l1")).ExitCode);
        Assert.Equal(1, (await b.Runtime("state", "l1")).ExitCode);
    }

    [Fact]
    public async Task DeleteForceKillsARunningContainer()
    {
        using var b = new TestBundle("sleep", "100");
        Assert.Equal(0, (await b.Runtime("run", "--bundle", b.Dir, "--detach", "f1")).ExitCode);
        var (status, pid) = await StateAsync(b, "f1");
        Assert.Equal("running", status);
        Assert.Equal(0, (await b.Runtime("delete", "--force", "f1")).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(b.StateRoot, "f1")));
        var stat = File.Exists($"/proc/{pid}/stat") ? File.ReadAllText($"/proc/{pid}/stat") : "";
        Assert.True(stat.Length == 0 || stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z'), "the init is still alive");
    }

    [Fact]
    public async Task DuplicateIdIsRefused()
    {
        using var b = new TestBundle("sleep", "100");
        Assert.Equal(0, (await b.Runtime("create", "--bundle", b.Dir, "d1")).ExitCode);
        var again = await b.Runtime("create", "--bundle", b.Dir, "d1");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("exists", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await b.Runtime("delete", "d1")).ExitCode); // a created container may be deleted
    }

    [Fact]
    public async Task FeaturesAndVersion()
    {
        using var b = new TestBundle("true");
        var f = await b.Runtime("features");
        using var doc = JsonDocument.Parse(f.Stdout);
        Assert.Equal("1.2.0", doc.RootElement.GetProperty("ociVersionMax").GetString());
        Assert.StartsWith("skiff-runtime version", (await b.Runtime("--version")).Stdout, StringComparison.Ordinal);
    }
}
