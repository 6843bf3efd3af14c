using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// run --init: skiff-init as PID 1 (podman's catatonit at /run/podman-init): it runs in an image with
/// no C library, passes the container's exit code and signals on, reaps orphans, and cannot be written from inside.
/// Also --userns, of which only host (the default) is supported yet.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class InitTests(SkiffEnvironment env)
{
    private readonly string _store = "init-" + Guid.NewGuid().ToString("N")[..8];

    private CommandResult S(params string[] args) => env.SkiffIn(_store, args);

    private CommandResult Must(params string[] args)
    {
        var r = S(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
        return r;
    }

    private void Pulled() => Must("pull", "-q", "--tls-verify=false", env.Busybox);

    [RootFact]
    public void The_init_is_pid_1_and_passes_the_exit_code_on()
    {
        Pulled();
        var r = S("run", "--rm", "--init", env.Busybox, "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; echo $PPID; exit 7");
        Assert.Equal(7, r.ExitCode);
        var lines = r.Stdout.Split('\n');
        Assert.Equal("/run/skiff-init -- sh -c tr '\\0' ' ' < /proc/1/cmdline; echo; echo $PPID; exit 7 ", lines[0]);
        Assert.Equal("1", lines[1]);
        // Without --init the command itself is PID 1.
        Assert.Equal("sh", Must("run", "--rm", env.Busybox, "sh", "-c", "cat /proc/1/comm; true").Stdout.Trim());
    }

    [RootFact]
    public void Stop_reaches_the_program_through_the_init()
    {
        Pulled();
        // sleep as PID 1 ignores SIGTERM (no handler), so without an init stop waits for the timeout and kills:
        // 137. Under the init, sleep is PID 2+ and SIGTERM ends it: 143, well before the 30 s timeout.
        string id = Must("run", "-d", "--init", env.Busybox, "sleep", "1000").Stdout.Trim();
        Must("stop", "-t", "30", id);
        Assert.Equal("143", Must("wait", id).Stdout.Trim());
        string plain = Must("run", "-d", env.Busybox, "sleep", "1000").Stdout.Trim();
        Must("stop", "-t", "1", plain);
        Assert.Equal("137", Must("wait", plain).Stdout.Trim());
        Must("rm", id, plain);
    }

    [RootFact]
    public void Orphans_are_reaped()
    {
        Pulled();
        // A grandchild whose parent has gone is re-parented to PID 1 and, once it exits, must not stay a zombie.
        var r = Must("run", "--rm", "--init", env.Busybox, "sh", "-c", "(sleep 0.2 &); sleep 1; ps -o stat | grep -c '^Z' || true");
        Assert.Equal("0", r.Stdout.Trim());
    }

    [RootFact]
    public void The_init_binary_cannot_be_changed_from_inside_and_is_a_copy()
    {
        Pulled();
        var r = S("run", "--rm", "--init", env.Busybox, "sh", "-c", "echo x >> /run/skiff-init");
        Assert.NotEqual(0, r.ExitCode);
        // What is bound is the store's copy, never the installed binary (which a privileged container could otherwise
        // remount writable once no container runs it).
        string id = Must("create", "--init", env.Busybox, "true").Stdout.Trim();
        string config = Directory.GetFiles(Path.Combine(env.Work, _store), "config.json", SearchOption.AllDirectories).Single(f => f.Contains(id, StringComparison.Ordinal));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config));
        var mount = doc.RootElement.GetProperty("mounts").EnumerateArray().Single(m => m.GetProperty("destination").GetString() == "/run/skiff-init");
        string source = mount.GetProperty("source").GetString()!;
        Assert.StartsWith(Path.Combine(env.Work, _store, "root", "init") + "/", source, StringComparison.Ordinal);
        Assert.Contains("ro", mount.GetProperty("options").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(File.ReadAllBytes(Path.Combine(env.Work, "bin", "skiff-init")), File.ReadAllBytes(source));
        Must("rm", id);
    }

    [RootFact]
    public void A_missing_program_or_init_path_says_so()
    {
        Pulled();
        var missing = S("run", "--rm", "--init", env.Busybox, "nosuchprogram");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("nosuchprogram: executable file not found in $PATH", missing.Stderr, StringComparison.Ordinal);
        var badPath = S("run", "--rm", "--init", "--init-path", "/nonexistent/init", env.Busybox, "true");
        Assert.Equal(125, badPath.ExitCode);
        Assert.Equal("Error: container-init binary not found on the host: /nonexistent/init: no such file\n", badPath.Stderr);
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
    }

    [RootFact]
    public void Userns_host_is_the_default_and_other_modes_are_refused_by_name()
    {
        Pulled();
        Assert.Equal("ok", Must("run", "--rm", "--userns", "host", env.Busybox, "echo", "ok").Stdout.Trim());
        var auto = S("run", "--rm", "--userns", "auto", env.Busybox, "true");
        Assert.Equal(125, auto.ExitCode);
        Assert.Equal("Error: --userns auto: skiff does not support the auto user namespace mode yet (only host, the default, and keep-id)\n", auto.Stderr);
        // podman's words for a mode that does not exist
        var bogus = S("run", "--rm", "--userns", "bogus", env.Busybox, "true");
        Assert.Equal(125, bogus.ExitCode);
        Assert.Equal("Error: unrecognized namespace mode bogus passed\n", bogus.Stderr);
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
    }

    [RootFact]
    public void Init_works_rootless()
    {
        Assert.Equal(0, env.SkiffRootless("pull", "-q", "--tls-verify=false", env.Busybox).ExitCode);
        var r = env.SkiffRootless("run", "--rm", "--init", env.Busybox, "sh", "-c", "cat /proc/1/comm; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("skiff-init", r.Stdout.Trim());
    }
}
