using System.Text.Json;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// run's flags beyond the process itself (--cidfile, --pull, --env-host, --annotation, --detach-keys) and
/// exec --privileged, with podman's messages and exit codes for their bad values. Each test has a store of its own.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class RunFlagsTests(SkiffEnvironment env)
{
    private readonly string _store = "flags-" + Guid.NewGuid().ToString("N")[..8];

    private string Root => Path.Combine(env.Work, _store, "root");

    private CommandResult S(params string[] args) => env.SkiffIn(_store, args);

    private CommandResult Must(params string[] args)
    {
        var r = S(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
        return r;
    }

    private void Pulled() => Must("pull", "-q", "--tls-verify=false", env.Busybox);

    private int Containers() => Must("ps", "-a", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    [RootFact]
    public void Cidfile_gets_the_id_and_an_existing_one_is_refused_before_anything_is_created()
    {
        Pulled();
        string cid = Path.Combine(env.Work, _store + ".cid");
        string id = Must("run", "-d", "--cidfile", cid, env.Busybox, "sleep", "60").Stdout.Trim();
        Assert.Equal(id, File.ReadAllText(cid));

        var again = S("create", "--cidfile", cid, env.Busybox, "true");
        Assert.Equal(125, again.ExitCode);
        Assert.Equal($"Error: container id file exists. Ensure another container is not using it or delete {cid}\n", again.Stderr);
        Assert.Equal(1, Containers());
        Assert.Equal(id, File.ReadAllText(cid));
        Must("rm", "-f", "-t", "0", id);
    }

    [RootFact]
    public void Pull_never_uses_only_local_images_and_always_asks_the_registry()
    {
        var never = S("run", "--rm", "--pull", "never", env.Busybox, "true");
        Assert.Equal(125, never.ExitCode);
        Assert.Equal($"Error: {env.Busybox}: image not known\n", never.Stderr);
        Assert.Equal(0, Containers());

        Assert.Equal("ok\n", Must("run", "--rm", "--pull=always", "--tls-verify=false", env.Busybox, "echo", "ok").Stdout.Split('\n')[^2] + "\n");
        Assert.Equal("ok\n", Must("run", "--rm", "--pull", "never", env.Busybox, "echo", "ok").Stdout);

        var bad = S("run", "--rm", "--pull", "sometimes", env.Busybox, "true");
        Assert.Equal(125, bad.ExitCode);
        Assert.Contains("\"sometimes\"", bad.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void Env_host_passes_the_callers_environment_under_the_explicit_one()
    {
        Pulled();
        var r = Command.Run(env.SkiffPath,
            ["--root", Root, "--runroot", Path.Combine(env.Work, _store, "run"), "run", "--rm", "--env-host", "-e", "B=flag", env.Busybox, "sh", "-c", "echo $A $B"],
            new Dictionary<string, string> { ["A"] = "from-host", ["B"] = "from-host" });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("from-host flag\n", r.Stdout);
        // Without it, the host's variables stay out.
        var plain = Command.Run(env.SkiffPath,
            ["--root", Root, "--runroot", Path.Combine(env.Work, _store, "run"), "run", "--rm", env.Busybox, "sh", "-c", "echo \"[$A]\""],
            new Dictionary<string, string> { ["A"] = "from-host" });
        Assert.Equal("[]\n", plain.Stdout);
    }

    [RootFact]
    public void Annotations_reach_the_runtime_spec()
    {
        Pulled();
        string id = Must("create", "--annotation", "io.example/one=1", "--annotation", "two=a=b", env.Busybox, "true").Stdout.Trim();
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "containers", id, "userdata", "config.json")));
        var annotations = config.RootElement.GetProperty("annotations");
        Assert.Equal("1", annotations.GetProperty("io.example/one").GetString());
        Assert.Equal("a=b", annotations.GetProperty("two").GetString());

        var bad = S("create", "--annotation", "novalue", env.Busybox, "true");
        Assert.Equal(125, bad.ExitCode);
        Assert.Contains("novalue", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, Containers());
    }

    [RootFact]
    public void Exec_privileged_gets_every_capability()
    {
        Pulled();
        string id = Must("run", "-d", env.Busybox, "sleep", "60").Stdout.Trim();
        string Cap(params string[] exec) => Must(["exec", .. exec, id, "sh", "-c", "grep CapEff /proc/self/status"]).Stdout;
        Assert.Equal("CapEff:\t00000000800405fb\n", Cap());
        // --privileged gives every capability the engine itself has (this machine's root lacks CAP_SYS_RESOURCE).
        string bounding = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))[7..].Trim();
        Assert.Equal($"CapEff:\t{bounding}\n", Cap("--privileged"));
        Assert.Equal("CapEff:\t0000000000000000\n", Cap("--privileged", "-u", "1000"));
        Must("rm", "-f", "-t", "0", id);
    }

    [RootFact]
    public void Bad_detach_keys_are_refused_before_a_container_is_created()
    {
        Pulled();
        var r = S("run", "--detach-keys", "ctrl-1", env.Busybox, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.StartsWith("Error: invalid detach keys \"ctrl-1\"", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, Containers());
    }
}
