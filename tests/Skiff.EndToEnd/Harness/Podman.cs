using System.Globalization;

namespace Skiff.EndToEnd.Harness;

/// <summary>
/// Debian's podman (4.3) with a store of its own under the test run's work directory, the cgroupfs manager and
/// file events (PID 1 here is not systemd), and a containers.conf holding the system file's default capabilities
/// and sysctls plus ulimits this host allows (podman's default NOFILE 1048576 fails where root lacks
/// CAP_SYS_RESOURCE). `make test` installs podman as root; without it these tests are skipped, not passed.
/// </summary>
public sealed class Podman
{
    private readonly string _root, _runRoot, _conf;
    private bool _pulled;

    public Podman(SkiffEnvironment env)
    {
        string dir = Path.Combine(env.Work, "podman");
        _root = Path.Combine(dir, "root");
        _runRoot = Path.Combine(dir, "run");
        _conf = Path.Combine(dir, "containers.conf");
        Directory.CreateDirectory(dir);
        File.WriteAllText(_conf, Conf());
        Env = env;
    }

    public SkiffEnvironment Env { get; }

    /// <summary>skiff-runtime as podman's --runtime (the copy the environment made).</summary>
    public string SkiffRuntime => Path.Combine(Env.Work, "bin", "skiff-runtime");

    /// <summary>podman with <paramref name="runtime"/> (a path, or runc).</summary>
    public CommandResult Run(string runtime, params string[] args)
    {
        EnsurePulled();
        return Command.Run("podman", [.. Global(runtime), .. args], Environment());
    }

    /// <summary>The command line of podman with <paramref name="runtime"/>, for running it under `script` (a terminal).</summary>
    public string CommandLine(string runtime, params string[] args)
    {
        EnsurePulled();
        return $"CONTAINERS_CONF={_conf} podman {string.Join(' ', Global(runtime).Concat(args).Select(Quote))}";
    }

    /// <summary>The test image in podman's storage (from the local registry, plain HTTP).</summary>
    private void EnsurePulled()
    {
        if (_pulled) return;
        var pull = Command.Run("podman", [.. Global("runc"), "pull", "-q", "--tls-verify=false", Env.Busybox], Environment());
        if (pull.ExitCode != 0) throw new InvalidOperationException($"podman pull failed: {pull}");
        _pulled = true;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private string[] Global(string runtime) =>
        ["--root", _root, "--runroot", _runRoot, "--runtime", runtime, "--cgroup-manager", "cgroupfs", "--events-backend", "file"];

    private Dictionary<string, string> Environment() => new() { ["CONTAINERS_CONF"] = _conf };

    private static string Conf()
    {
        string nofile = Limit("Max open files", 1048576);
        string nproc = Limit("Max processes", 32768);
        return $"""
            [containers]
            default_capabilities = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
            default_sysctls = ["net.ipv4.ping_group_range=0 0"]
            default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]
            log_driver = "k8s-file"

            """;
    }

    /// <summary>This process's hard limit of a resource, capped at <paramref name="cap"/>.</summary>
    private static string Limit(string name, ulong cap)
    {
        string line = File.ReadAllLines("/proc/self/limits").First(l => l.StartsWith(name, StringComparison.Ordinal));
        string hard = line[26..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        ulong value = hard == "unlimited" ? cap : Math.Min(cap, ulong.Parse(hard, CultureInfo.InvariantCulture));
        return value.ToString(CultureInfo.InvariantCulture);
    }
}
