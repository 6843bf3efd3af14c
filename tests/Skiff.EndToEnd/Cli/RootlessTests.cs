using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>The same walk as an unprivileged user with /etc/subuid ranges (made by .ci/run): rootless by default.</summary>
[Collection(SkiffCollection.Name)]
public sealed class RootlessTests(SkiffEnvironment env)
{
    [RootFact]
    public void Rootless_pull_run_and_rmi()
    {
        var pull = env.SkiffRootless("pull", "--tls-verify=false", env.Busybox);
        Assert.True(pull.ExitCode == 0, pull.ToString());

        var images = env.SkiffRootless("images", "--format", "{{.Repository}}");
        Assert.Equal(env.Busybox + "\n", images.Stdout);

        var hello = env.SkiffRootless("run", "--rm", env.Busybox, "echo", "hello");
        Assert.True(hello.ExitCode == 0, hello.ToString());
        Assert.Equal("hello\n", hello.Stdout);

        Assert.Equal(7, env.SkiffRootless("run", "--rm", env.Busybox, "sh", "-c", "exit 7").ExitCode);

        var flags = env.SkiffRootless("run", "--rm", "-e", "FOO=bar", "-w", "/tmp", "-u", "1000", env.Busybox, "sh", "-c", "echo $FOO; pwd; id -u");
        Assert.True(flags.ExitCode == 0, flags.ToString());
        Assert.Equal("bar\n/tmp\n1000\n", flags.Stdout);

        var map = env.SkiffRootless("run", "--rm", env.Busybox, "cat", "/proc/self/uid_map");
        Assert.True(map.ExitCode == 0, map.ToString());
        string uid = Command.Must("id", "-u", env.TestUser).Stdout.Trim();
        string subuid = File.ReadAllLines("/etc/subuid").First(l => l.StartsWith(env.TestUser + ":", StringComparison.Ordinal)).Split(':')[1];
        var rows = map.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["0", uid, "1"], rows[0]);
        Assert.Equal(["1", subuid, "65536"], rows[1]);

        var pid = env.SkiffRootless("run", "--rm", "--hostname", "rootless", env.Busybox, "sh", "-c", "echo $$; hostname");
        Assert.Equal("1\nrootless\n", pid.Stdout);

        var layered = env.SkiffRootless("run", "--rm", "--tls-verify=false", env.Layered, "sh", "-c", "ls /etc/removed 2>/dev/null || echo gone; ls /data/old");
        Assert.True(layered.ExitCode == 0, layered.ToString());
        Assert.Equal("gone\nnew\n", layered.Stdout);

        var kept = env.SkiffRootless("run", "--name", "kept", env.Busybox, "touch", "/made-by-container");
        Assert.True(kept.ExitCode == 0, kept.ToString());
        Assert.Equal(2, env.SkiffRootless("rmi", env.Busybox).ExitCode);
        var rm = env.SkiffRootless("rm", "kept");
        Assert.True(rm.ExitCode == 0, rm.ToString());

        var rmi = env.SkiffRootless("rmi", env.Busybox);
        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.Equal(env.Layered + "\n", env.SkiffRootless("images", "--format", "{{.Repository}}").Stdout);
    }

    [RootFact]
    public void Rootless_detached_containers_outlive_the_command_and_later_commands_control_them()
    {
        Assert.Equal(0, env.SkiffRootless("pull", "--tls-verify=false", env.Busybox).ExitCode);
        var run = env.SkiffRootless("run", "-d", "--name", "bg", env.Busybox, "sh", "-c", "echo up; exec sleep 300");
        Assert.True(run.ExitCode == 0, run.ToString());
        string id = run.Stdout.Trim();
        // Every later command joins the namespaces of the user's pause process, where the container and its mounts live.
        Assert.Contains("Up ", env.SkiffRootless("ps").Stdout, StringComparison.Ordinal);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (env.SkiffRootless("logs", "bg").Stdout != "up\n" && sw.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(50);
        Assert.Equal("up\n", env.SkiffRootless("logs", "bg").Stdout);
        var stop = env.SkiffRootless("stop", "-t", "0", "bg");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("Exited (137)", env.SkiffRootless("ps", "-a").Stdout, StringComparison.Ordinal);
        Assert.Equal(0, env.SkiffRootless("start", "bg").ExitCode);
        var rm = env.SkiffRootless("rm", "-f", "-t", "0", "bg");
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Equal(id + "\n", rm.Stdout);
        Assert.Equal("", env.SkiffRootless("ps", "-a", "-q").Stdout);
    }
}
