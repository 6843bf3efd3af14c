using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Podman;

/// <summary>
/// `skiff run` gives the container what `podman run` with runc gives it for the same flags: the capability
/// sets, the seccomp mode, no_new_privs and the cgroup limits, read from inside the container.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class SkiffMatchesPodmanTests(SkiffEnvironment env)
{
    private readonly Harness.Podman _podman = new(env);

    private const string Probe =
        "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status; " +
        "for f in memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes pids/pids.max cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares " +
        "memory.max memory.swap.max pids.max cpu.max; do [ -f /sys/fs/cgroup/$f ] && echo \"$f $(cat /sys/fs/cgroup/$f)\"; done; true";

    private string NoMkdirProfile()
    {
        string profile = Path.Combine(env.Work, "no-mkdir-compare.json");
        File.WriteAllText(profile, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}""");
        return profile;
    }

    [RequiresProgramsFact("podman")]
    public void A_custom_profile_refuses_the_same_calls()
    {
        string profile = NoMkdirProfile();
        var theirs = _podman.Run("runc", "run", "--rm", "--security-opt", $"seccomp={profile}", env.Busybox, "sh", "-c", "mkdir /tmp/x 2>&1; echo rc=$?");
        var ours = env.Skiff("run", "--rm", "--tls-verify=false", "--security-opt", $"seccomp={profile}", env.Busybox, "sh", "-c", "mkdir /tmp/x 2>&1; echo rc=$?");
        Assert.Equal("mkdir: can't create directory '/tmp/x': Operation not permitted\nrc=1\n", theirs.Stdout);
        Assert.Equal(theirs.Stdout, ours.Stdout);
    }

    [RequiresProgramsFact("podman")]
    public void Same_capabilities_seccomp_mode_and_limits_as_podman_with_runc()
    {
        string[][] flagSets =
        [
            [],
            ["--memory", "64m", "--pids-limit", "33", "--cpus", "1.5"],
            ["--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN"],
            ["--cap-drop", "all", "--cap-add", "kill"],
            ["-u", "1000", "--cap-add", "NET_RAW"],
            ["--security-opt", "no-new-privileges"],
            ["--security-opt", "seccomp=unconfined"],
            ["--privileged"],
            ["--security-opt", $"seccomp={NoMkdirProfile()}"],
        ];
        foreach (string[] flags in flagSets)
        {
            var theirs = _podman.Run("runc", ["run", "--rm", .. flags, env.Busybox, "sh", "-c", Probe]);
            Assert.True(theirs.ExitCode == 0, $"podman {string.Join(' ', flags)}: {theirs}");
            var ours = env.Skiff(["run", "--rm", "--tls-verify=false", .. flags, env.Busybox, "sh", "-c", Probe]);
            Assert.True(ours.ExitCode == 0, $"skiff {string.Join(' ', flags)}: {ours}");
            Assert.True(theirs.Stdout == ours.Stdout, $"flags [{string.Join(' ', flags)}]\n--- podman + runc\n{theirs.Stdout}--- skiff\n{ours.Stdout}");
        }
    }
}
