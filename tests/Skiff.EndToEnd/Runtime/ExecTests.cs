using System.Text.Json.Nodes;
using Skiff.EndToEnd.Harness;
using Skiff.EndToEnd.Runtime.Attacks;

namespace Skiff.EndToEnd.Runtime;

/// <summary>`skiff-runtime exec` into a running container, as podman and conmon drive it.</summary>
public class ExecTests
{
    private static async Task<TestBundle> RunningAsync(string id, Action<TestBundle>? configure = null)
    {
        var b = new TestBundle("sleep", "60");
        configure?.Invoke(b);
        var r = await b.Runtime("run", "--bundle", b.Dir, "--detach", id);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return b;
    }

    [Fact]
    public async Task Exec_joins_the_containers_namespaces_and_keeps_its_identity()
    {
        using var b = await RunningAsync("x1");
        var r = await b.Runtime("exec", "x1", "sh", "-c", "echo $$; hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; grep -E '^Cap(Eff|Bnd)' /proc/self/status; ls /proc/self/fd");
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEqual("1", lines[0]);                          // not the init, but in its pid namespace:
        Assert.True(int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture) < 100, $"pid {lines[0]} is not from the container's pid namespace");
        Assert.Equal("skiffbox", lines[1]);
        Assert.Equal("sleep 60", lines[2].Trim());
        Assert.Equal("CapEff:\t00000000800405fb", lines[3]);
        Assert.Equal("CapBnd:\t00000000800405fb", lines[4]);
        Assert.Equal(["0", "1", "2", "3"], lines[5..]);          // stdio and ls's own directory: nothing leaked
        await b.Runtime("delete", "--force", "x1");
    }

    [Fact]
    public async Task Exec_flags_set_user_cwd_env_and_the_exit_code()
    {
        using var b = await RunningAsync("x2", b => Directory.CreateDirectory(Path.Combine(b.Dir, "rootfs/tmp")));
        var r = await b.Runtime("exec", "--user", "1000:1001", "--cwd", "/tmp", "--env", "FOO=bar", "x2", "sh", "-c", "id -u; id -g; pwd; echo $FOO; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("1000\n1001\n/tmp\nbar\n", r.Stdout);
        var missing = await b.Runtime("exec", "x2", "no-such-program");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("no-such-program", missing.Stderr, StringComparison.Ordinal);
        await b.Runtime("delete", "--force", "x2");
        var stopped = await b.Runtime("exec", "x2", "true");
        Assert.NotEqual(0, stopped.ExitCode);
    }

    [Fact]
    public async Task Exec_of_a_process_file_and_detached_with_a_pid_file()
    {
        using var b = await RunningAsync("x3");
        string processFile = Path.Combine(b.Dir, "process.json");
        File.WriteAllText(processFile, new JsonObject
        {
            ["args"] = new JsonArray("sh", "-c", "echo from-file $GREETING"),
            ["env"] = new JsonArray("PATH=/bin", "GREETING=hi"),
            ["cwd"] = "/",
            ["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0 },
        }.ToJsonString());
        var r = await b.Runtime("exec", "--process", processFile, "x3");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("from-file hi\n", r.Stdout);

        string pidFile = Path.Combine(b.Dir, "exec.pid");
        var d = await b.Runtime("exec", "--detach", "--pid-file", pidFile, "x3", "sleep", "30");
        Assert.True(d.ExitCode == 0, d.Stderr);
        string pid = File.ReadAllText(pidFile);
        Assert.Equal("sleep", File.ReadAllText($"/proc/{pid}/comm").Trim());
        await b.Runtime("delete", "--force", "x3");
    }

    [Fact]
    public async Task The_exec_command_runs_from_a_sealed_copy_while_it_waits()
    {
        using var b = await RunningAsync("x4");
        var exec = b.Runtime("exec", "x4", "sleep", "3");
        string? exe = null;
        for (int i = 0; i < 100 && exe is null; i++)
        {
            await Task.Delay(30);
            foreach (string dir in Directory.GetDirectories("/proc"))
            {
                string cmdline;
                try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")); }
                catch (IOException) { continue; }
                if (cmdline.StartsWith("skiff-runtime\0", StringComparison.Ordinal) && cmdline.Contains("\0exec\0x4\0", StringComparison.Ordinal))
                {
                    try { exe = File.ResolveLinkTarget(Path.Combine(dir, "exe"), false)?.ToString(); }
                    catch (IOException) { }
                }
            }
        }
        Assert.Equal(0, (await exec).ExitCode);
        Assert.NotNull(exe);
        Assert.True(SealedExe.IsSealed(exe), $"not the sealed runtime: {exe}");
        await b.Runtime("delete", "--force", "x4");
    }
}
