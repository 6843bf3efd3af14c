using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Podman;

/// <summary>
/// podman from Debian runs its containers through skiff-runtime (`podman --runtime PATH`): our runtime speaks
/// the OCI command line well enough for podman and conmon (create/start/state/kill/delete/exec, the console
/// socket, --log json, pids and cgroups, hooks podman sets).
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class PodmanOnSkiffRuntimeTests(SkiffEnvironment env)
{
    private readonly Harness.Podman _podman = new(env);

    private CommandResult Podman(params string[] args) => _podman.Run(_podman.SkiffRuntime, args);

    private CommandResult Must(params string[] args)
    {
        var r = Podman(args);
        Assert.True(r.ExitCode == 0, $"podman {string.Join(' ', args)}: {r}");
        return r;
    }

    [RequiresProgramsFact("podman")]
    public void Run_rm_prints_and_returns_the_exit_code()
    {
        Assert.Equal("hello\n", Must("run", "--rm", env.Busybox, "echo", "hello").Stdout);
        Assert.Equal(7, Podman("run", "--rm", env.Busybox, "sh", "-c", "exit 7").ExitCode);
    }

    [RequiresProgramsFact("podman")]
    public void Detached_then_exec_logs_stop_and_rm()
    {
        Must("run", "-d", "--name", "skiff-podman-1", env.Busybox, "sh", "-c", "echo started; trap 'exit 0' TERM; sleep 60 & wait");
        try
        {
            var exec = Must("exec", "skiff-podman-1", "sh", "-c", "echo in $(hostname); id -u");
            Assert.Equal("0", exec.Stdout.Split('\n')[1]);
            Assert.Equal(5, Podman("exec", "skiff-podman-1", "sh", "-c", "exit 5").ExitCode);
            Assert.Contains("started", Must("logs", "skiff-podman-1").Stdout, StringComparison.Ordinal);
            Must("stop", "-t", "10", "skiff-podman-1");
            Assert.Contains("Exited (0)", Must("ps", "-a", "--filter", "name=skiff-podman-1").Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Podman("rm", "-f", "skiff-podman-1");
        }
        Assert.DoesNotContain("skiff-podman-1", Must("ps", "-a").Stdout, StringComparison.Ordinal);
    }

    [RequiresProgramsFact("podman", "script")]
    public void Run_it_gets_a_terminal()
    {
        string line = _podman.CommandLine(_podman.SkiffRuntime, "run", "-it", "--rm", env.Busybox, "sh", "-c", "tty; test -t 0 && echo interactive");
        // script's stdin stays open while the container runs: when it ends first, podman (with runc too) may
        // stop attaching before the container's output arrives (3 in 15 runs with runc here, more when faster).
        var r = Command.Run("sh", ["-c", $"sleep 2 | script -qec \"stty cols 100 rows 30; {line}\" /dev/null"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        // "^@": the terminal's echo of a NUL that script sends when its own stdin ends; it lands anywhere, with runc too.
        string output = r.Stdout.Replace("\r", "", StringComparison.Ordinal).Replace("^@", "", StringComparison.Ordinal);
        Assert.Contains("/dev/pts/0\ninteractive\n", output, StringComparison.Ordinal);
    }

    [RequiresProgramsFact("podman")]
    public void Memory_and_pids_limits_reach_the_cgroup()
    {
        string read = "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max";
        var r = Must("run", "--rm", "--memory", "64m", "--pids-limit", "33", env.Busybox, "sh", "-c", read);
        Assert.Equal("67108864\n33\n", r.Stdout);
    }

    [RequiresProgramsFact("podman")]
    public void Cap_drop_and_read_only()
    {
        Assert.Equal("CapEff:\t00000000800405fa\n", Must("run", "--rm", "--cap-drop", "CHOWN", env.Busybox, "grep", "CapEff", "/proc/self/status").Stdout);
        var ro = Podman("run", "--rm", "--read-only", env.Busybox, "sh", "-c", "touch /x 2>&1; touch /tmp/y && echo tmp-writable");
        Assert.Contains("Read-only file system", ro.Stdout, StringComparison.Ordinal);
        Assert.Contains("tmp-writable", ro.Stdout, StringComparison.Ordinal);
    }

    [RequiresProgramsFact("podman")]
    public void Seccomp_default_profile_and_a_custom_one()
    {
        Assert.Contains("Seccomp:\t2", Must("run", "--rm", env.Busybox, "grep", "Seccomp:", "/proc/self/status").Stdout, StringComparison.Ordinal);
        string profile = Path.Combine(env.Work, "no-mkdir.json");
        File.WriteAllText(profile, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}""");
        var r = Podman("run", "--rm", "--security-opt", $"seccomp={profile}", env.Busybox, "sh", "-c", "mkdir /tmp/x 2>&1; echo rc=$?");
        Assert.Equal("mkdir: can't create directory '/tmp/x': Operation not permitted\nrc=1\n", r.Stdout);
        Assert.Contains("Seccomp:\t0", Must("run", "--rm", "--security-opt", "seccomp=unconfined", env.Busybox, "grep", "Seccomp:", "/proc/self/status").Stdout, StringComparison.Ordinal);
    }

    [RequiresProgramsFact("podman", "catatonit")]
    public void A_pod_shares_namespaces_with_its_infra_container()
    {
        Must("pod", "create", "--name", "skiff-pod", "--share", "pid,net,ipc,uts");
        try
        {
            Must("run", "-d", "--pod", "skiff-pod", "--name", "skiff-pod-a", env.Busybox, "sleep", "60");
            var ps = Must("run", "--rm", "--pod", "skiff-pod", env.Busybox, "ps", "-o", "comm");
            Assert.Contains("catatonit", ps.Stdout, StringComparison.Ordinal);
            Assert.Contains("sleep", ps.Stdout, StringComparison.Ordinal);
            Assert.Contains("catatonit", Must("exec", "skiff-pod-a", "ps", "-o", "comm").Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Podman("pod", "rm", "-f", "skiff-pod");
        }
    }
}
