using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Security;
using Skiff.Oci.Image;

namespace Skiff.Tests.Engine;

public sealed class SpecGeneratorTests
{
    private static readonly ContainerUser Root = new(0, 0, [], "/root");

    private static SpecInputs Inputs(ContainerConfig? image = null, ContainerUser? user = null, Func<int, ulong>? hard = null) => new()
    {
        ContainerId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        RootfsPath = "/merged",
        ImageConfig = image,
        User = user ?? Root,
        HostEnv = name => name == "HOSTVAR" ? "from-host" : null,
        HardLimit = hard ?? (_ => ulong.MaxValue),
    };

    [Fact]
    public void Command_after_the_image_replaces_cmd_and_keeps_entrypoint()
    {
        var image = new ContainerConfig { Entrypoint = ["/entry"], Cmd = ["default"] };
        Assert.Equal(["/entry", "default"], SpecGenerator.Arguments(new RunOptions { Image = "x" }, image));
        Assert.Equal(["/entry", "mine"], SpecGenerator.Arguments(new RunOptions { Image = "x", Command = ["mine"] }, image));
    }

    [Fact]
    public void Entrypoint_flag_drops_the_image_cmd()
    {
        var image = new ContainerConfig { Entrypoint = ["/entry"], Cmd = ["default"] };
        Assert.Equal(["echo"], SpecGenerator.Arguments(new RunOptions { Image = "x", Entrypoint = "echo" }, image));
        Assert.Equal(["/bin/sh", "-c", "a"], SpecGenerator.Arguments(new RunOptions { Image = "x", Entrypoint = "[\"/bin/sh\",\"-c\"]", Command = ["a"] }, image));
        Assert.Equal(["ls"], SpecGenerator.Arguments(new RunOptions { Image = "x", Entrypoint = "", Command = ["ls"] }, image));
    }

    [Fact]
    public void No_command_at_all_is_an_engine_error()
    {
        var e = Assert.Throws<EngineException>(() => SpecGenerator.Arguments(new RunOptions { Image = "x" }, new ContainerConfig()));
        Assert.Equal(125, e.ExitCode);
    }

    [Fact]
    public void Environment_layers_image_defaults_files_and_flags_in_order()
    {
        var image = new ContainerConfig { Env = ["PATH=/image/bin", "A=image", "B=image"] };
        var inputs = new SpecInputs
        {
            ContainerId = Inputs().ContainerId, RootfsPath = "/m", ImageConfig = image, User = Root,
            EnvFileLines = ["B=file", "C=file"], HostEnv = n => n == "HOSTVAR" ? "from-host" : null, HardLimit = _ => ulong.MaxValue,
        };
        var env = SpecGenerator.Environment(new RunOptions { Image = "x", Env = ["C=flag", "HOSTVAR", "UNSET"] }, inputs, "h");
        Assert.Equal(["PATH=/image/bin", "A=image", "B=file", "container=skiff", "TERM=xterm", "HOME=/root", "HOSTNAME=h", "C=flag", "HOSTVAR=from-host"], env);
    }

    [Fact]
    public void Env_file_skips_comments_and_blank_lines()
        => Assert.Equal(["A=1", "B"], SpecGenerator.ParseEnvFile("# c\n\nA=1\r\n  B\n").ToList());

    [Fact]
    public void Rlimits_are_clamped_to_the_hosts_hard_limit()
    {
        var spec = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["true"] }, Inputs(hard: r => r == Skiff.Interop.Libc.RLIMIT_NOFILE ? 20000UL : 96365UL));
        var nofile = spec.Process!.Rlimits!.Single(r => r.Type == "RLIMIT_NOFILE");
        Assert.Equal(20000UL, nofile.Hard);
        Assert.Equal(20000UL, nofile.Soft);
        Assert.Equal(96365UL, spec.Process.Rlimits!.Single(r => r.Type == "RLIMIT_NPROC").Hard);
    }

    [Fact]
    public void Spec_has_podmans_namespaces_mounts_and_defaults()
    {
        var spec = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["true"], WorkingDir = "/tmp" }, Inputs(user: new ContainerUser(1000, 0, [], "/")));
        Assert.Equal("0123456789ab", spec.Hostname);
        Assert.Equal("/tmp", spec.Process!.Cwd);
        Assert.Equal(1000u, spec.Process.User.Uid);
        Assert.Empty(spec.Process.Capabilities!.Effective!);
        Assert.Contains("CAP_CHOWN", spec.Process.Capabilities.Bounding!);
        Assert.Equal(["pid", "network", "ipc", "uts", "mount", "cgroup"], spec.Linux!.Namespaces!.Select(n => n.Type));
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/dev/shm", "/sys/fs/cgroup"], spec.Mounts!.Select(m => m.Destination));
        Assert.Contains("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.Equal("/merged", spec.Root!.Path);
    }

    [Fact]
    public void Defaults_match_podman_43_sysctl_cgroup_path_devices_and_umask()
    {
        var spec = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["true"] }, Inputs());
        Assert.Equal("0 0", spec.Linux!.Sysctl!["net.ipv4.ping_group_range"]);
        Assert.Equal("/skiff_parent/skiff-" + Inputs().ContainerId, spec.Linux.CgroupsPath);
        Assert.False(Assert.Single(spec.Linux.Resources!.Devices!).Allow);
        Assert.Equal(0x12u, spec.Process!.User.Umask);
        Assert.Equal(CapabilitySet.Defaults, spec.Process.Capabilities!.Effective);
        Assert.Contains("/proc/kcore", spec.Linux.MaskedPaths!);
        Assert.Equal("", SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["true"] }, Inputs() with { Rootless = true }).Linux!.CgroupsPath);
    }

    [Fact]
    public void Privileged_drops_the_fences_podman_drops()
    {
        var device = new Skiff.Oci.Runtime.Device { Path = "/dev/kvm", Type = "c", Major = 10, Minor = 232 };
        var spec = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["true"], Privileged = true },
            Inputs() with { HostDevices = () => [device] });
        Assert.Null(spec.Linux!.Seccomp);
        Assert.Empty(spec.Linux.MaskedPaths!);
        Assert.Empty(spec.Linux.ReadonlyPaths!);
        Assert.True(Assert.Single(spec.Linux.Resources!.Devices!).Allow);
        Assert.Equal([device], spec.Linux.Devices!);
        Assert.Contains("rw", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.Equal(CapabilitySet.All.Order(StringComparer.Ordinal), spec.Process!.Capabilities!.Bounding);
    }

    [Fact]
    public void Privileged_rootless_leaves_out_the_hosts_ptmx_and_terminals_as_podman_does()
    {
        Skiff.Oci.Runtime.Device Dev(string path, long minor) => new() { Path = path, Type = "c", Major = 5, Minor = minor };
        Skiff.Oci.Runtime.Device[] host = [Dev("/dev/kvm", 232), Dev("/dev/ptmx", 2), Dev("/dev/tty", 0), Dev("/dev/tty1", 1), Dev("/dev/ttyS0", 64)];
        var options = new RunOptions { Image = "x", Command = ["true"], Privileged = true };
        Assert.Equal(host, SpecGenerator.Generate(options, Inputs() with { HostDevices = () => host }).Linux!.Devices!);
        Assert.Equal([host[0]], SpecGenerator.Generate(options, Inputs() with { HostDevices = () => host, Rootless = true }).Linux!.Devices!);
    }

    [Fact]
    public void Read_only_gets_podmans_writable_tmpfs_and_read_only_etc_files()
    {
        var spec = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["true"], ReadOnly = true },
            Inputs() with { BindFiles = new Dictionary<string, string> { ["/etc/hosts"] = "/b/hosts" } });
        Assert.True(spec.Root!.Readonly);
        foreach (string dir in new[] { "/run", "/tmp", "/var/tmp" })
            Assert.Contains("tmpcopyup", spec.Mounts!.Single(m => m.Destination == dir).Options!);
        Assert.Contains("ro", spec.Mounts!.Single(m => m.Destination == "/etc/hosts").Options!);
    }

    [Fact]
    public void Seccomp_unconfined_and_no_new_privileges_reach_the_spec()
    {
        var byDefault = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["true"] }, Inputs()).Linux!.Seccomp;
        Assert.Equal("SCMP_ACT_ERRNO", byDefault!.DefaultAction); // podman's default profile
        var spec = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["true"], SecurityOpt = ["seccomp=unconfined", "no-new-privileges"] }, Inputs());
        Assert.Null(spec.Linux!.Seccomp);
        Assert.True(spec.Process!.NoNewPrivileges);
    }

    [Fact]
    public void Init_runs_first_from_a_read_only_bind_of_the_stores_copy()
    {
        var spec = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["sleep", "1"], Init = true },
            Inputs() with { InitBinaryPath = "/store/init/init-1" });
        Assert.Equal(["/run/skiff-init", "--", "sleep", "1"], spec.Process!.Args);
        var mount = Assert.Single(spec.Mounts!, m => m.Destination == "/run/skiff-init");
        Assert.Equal(("bind", "/store/init/init-1"), (mount.Type, mount.Source));
        Assert.Contains("ro", mount.Options!);
        var plain = SpecGenerator.Generate(new RunOptions { Image = "x", Command = ["sleep", "1"] }, Inputs() with { InitBinaryPath = "/store/init/init-1" });
        Assert.Equal(["sleep", "1"], plain.Process!.Args);
        Assert.DoesNotContain(plain.Mounts!, m => m.Destination == "/run/skiff-init");
    }
}
