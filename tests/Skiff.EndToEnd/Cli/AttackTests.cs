using System.Security.Cryptography;
using Skiff.EndToEnd.Harness;
using Skiff.EndToEnd.Runtime.Attacks;
using Skiff.TestSupport;
using Skiff.TestSupport.Registry;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// The runtime attacks of issue 5 tried through `skiff run` with hostile images, as root and rootless:
/// overwriting the host's runtime binary, host devices (mknod, nodes shipped in layers), symlinked mount
/// targets, a working directory through /proc/self/fd. Each tries the escape and checks it failed.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class AttackTests(SkiffEnvironment env)
{
    private string Push(string name, params BuiltLayer[] layers)
    {
        string repo = $"library/{name}{Guid.NewGuid().ToString("N")[..6]}";
        TestImages.PushImageAsync(env.LocalRegistry, repo + ":latest", [TestImages.Busybox, .. layers]).GetAwaiter().GetResult();
        return $"{env.Registry}/{repo}";
    }

    [RequiresProgramsFact("clang", X64Only = true)]
    public void A_hostile_image_cannot_overwrite_the_runtime_binary()
    {
        string runtime = Path.Combine(env.Work, "bin", "skiff-runtime");
        string before = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(runtime)));
        string image = Push("exeoverwrite", new LayerBuilder()
            .Directory("lib64")
            .File("lib64/ld-linux-x86-64.so.2", File.ReadAllBytes(AttackPrograms.Build("exe-overwrite")), (UnixFileMode)0x1ed)
            .File("entry", System.Text.Encoding.ASCII.GetBytes("#!/proc/self/exe\n"), (UnixFileMode)0x1ed)
            .Build());
        var r = env.Skiff("run", "--rm", "--tls-verify=false", image, "/entry");
        string after = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(runtime)));
        Assert.True(before == after, $"the runtime binary was modified from inside the container: {r}");
        SealedExe.AssertReported(r.Stdout);
        Assert.Contains("refused", r.Stdout, StringComparison.Ordinal);
        // Rootless, the init runs from the sealed copy too.
        var rootless = env.SkiffRootless("run", "--rm", "--tls-verify=false", image, "/entry");
        Assert.Equal(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(runtime))));
        SealedExe.AssertReported(rootless.Stdout);
        Assert.Contains("refused", rootless.Stdout, StringComparison.Ordinal);
    }

    [RootFact]
    public void Container_root_cannot_make_or_open_host_devices()
    {
        const string script = "for d in kvm:232 loop-control:237 fuse:229; do mknod /tmp/${d%:*} c 10 ${d#*:} 2>/dev/null && echo made ${d%:*}; " +
            "cat /tmp/${d%:*} >/dev/null 2>&1 </dev/null && echo OPENED ${d%:*}; done; head -c1 /dev/zero | wc -c";
        // The default capabilities have no CAP_MKNOD: nothing is made.
        var plain = env.Skiff("run", "--rm", "--tls-verify=false", env.Busybox, "sh", "-c", script);
        Assert.Equal("1\n", plain.Stdout);
        // With CAP_MKNOD the nodes are made, but the device cgroup refuses to open them (the default devices still work).
        var withMknod = env.Skiff("run", "--rm", "--tls-verify=false", "--cap-add", "MKNOD", env.Busybox, "sh", "-c", script);
        Assert.Equal("made kvm\nmade loop-control\nmade fuse\n1\n", withMknod.Stdout);
    }

    [RootFact]
    public void Rootless_container_root_cannot_make_device_nodes_even_with_CAP_MKNOD_or_privileged()
    {
        const string script = "for d in kvm:232 loop-control:237 fuse:229; do mknod /tmp/${d%:*} c 10 ${d#*:} 2>/dev/null && echo made ${d%:*}; " +
            "cat /tmp/${d%:*} >/dev/null 2>&1 </dev/null && echo OPENED ${d%:*}; done; head -c1 /dev/zero | wc -c";
        // In the user namespace the kernel refuses mknod whatever the capabilities (the default devices still work).
        foreach (string[] flags in new[] { Array.Empty<string>(), ["--cap-add", "MKNOD"], ["--privileged"] })
        {
            var r = env.SkiffRootless(["run", "--rm", "--tls-verify=false", .. flags, env.Busybox, "sh", "-c", script]);
            Assert.True(r.ExitCode == 0, $"{string.Join(' ', flags)}: {r}");
            Assert.Equal("1\n", r.Stdout);
        }
    }

    [RootFact]
    public void A_device_node_shipped_in_a_layer_cannot_be_opened()
    {
        string image = Push("devnode", new LayerBuilder().CharacterDevice("kvm", 10, 232).CharacterDevice("loop-control", 10, 237).Build());
        var r = env.Skiff("run", "--rm", "--tls-verify=false", image, "sh", "-c",
            "ls -l /kvm | cut -c1; cat /kvm >/dev/null 2>&1 </dev/null && echo OPENED; cat /loop-control >/dev/null 2>&1 </dev/null && echo OPENED; echo done");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("c\ndone\n", r.Stdout);
        // Rootless: the node is never created (mknod is refused in a user namespace; the layer skips it).
        var rootless = env.SkiffRootless("run", "--rm", "--tls-verify=false", image, "sh", "-c", "ls /kvm 2>&1 || echo absent");
        Assert.True(rootless.ExitCode == 0, rootless.ToString());
        Assert.Contains("absent", rootless.Stdout, StringComparison.Ordinal);
    }

    [RootFact]
    public void Etc_files_the_engine_binds_land_inside_an_image_that_made_them_symlinks_out()
    {
        string outside = Path.Combine(env.Work, "etc-outside-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "hosts"), "precious hosts");
        File.WriteAllText(Path.Combine(outside, "resolv.conf"), "precious resolv");
        (string Link, string Target)[] links =
        [
            ("etc/hosts", Path.Combine(outside, "hosts")),
            ("etc/resolv.conf", "../../../../../../../../.." + Path.Combine(outside, "resolv.conf")),
            ("etc/hostname", outside),
        ];
        foreach (var (link, target) in links)
        {
            string image = Push("etclink", new LayerBuilder().Directory("etc").Symlink(link, target).Build());
            var r = env.Skiff("run", "--rm", "--tls-verify=false", "--hostname", "inside", image, "sh", "-c", "cat /etc/hostname; grep -c inside /etc/hosts");
            // The bind lands on the link's target resolved inside the root: the run works, or stops with an error - never on the host.
            if (r.ExitCode == 0) Assert.Equal("inside\n1\n", r.Stdout);
            else Assert.Equal(125, r.ExitCode);
            Assert.Equal("precious hosts", File.ReadAllText(Path.Combine(outside, "hosts")));
            Assert.Equal("precious resolv", File.ReadAllText(Path.Combine(outside, "resolv.conf")));
            Assert.Equal(2, Directory.GetFileSystemEntries(outside).Length);
            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(outside, StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// The runc CVE-2024-21626 image: its layer holds plain directories /proc/self/fd/3..20, so the engine's check
    /// that the working directory exists passes and the runtime is handed /proc/self/fd/N, which, once procfs is
    /// mounted, is a magic link to whatever the init holds open. Without a layer like this the engine refuses the
    /// workdir itself and the runtime never sees the attack.
    /// </summary>
    private string ProcFdImage()
    {
        var layer = new LayerBuilder().Directory("proc").Directory("proc/self").Directory("proc/self/fd");
        for (int fd = FirstFd; fd <= LastFd; fd++) layer.Directory($"proc/self/fd/{fd}");
        return Push("procfd", layer.Build());
    }

    private const int FirstFd = 3, LastFd = 20;

    [RootFact]
    public void A_workdir_through_proc_self_fd_never_leaves_the_container()
    {
        string image = ProcFdImage();
        for (int fd = FirstFd; fd <= LastFd; fd++)
        {
            var r = env.Skiff("run", "--rm", "--tls-verify=false", "-w", $"/proc/self/fd/{fd}", image, "sh", "-c", LeakedDescriptorTests.WhereIsCwd);
            if (r.ExitCode != 0) Assert.Contains("process.cwd", r.Stderr, StringComparison.Ordinal); // the runtime's refusal, not another failure
            else Assert.True(LeakedDescriptorTests.Inside(r.Stdout), $"-w /proc/self/fd/{fd}: {r}");
        }
    }

    [RootFact]
    public void Rootless_a_workdir_through_proc_self_fd_never_leaves_the_container()
    {
        string image = ProcFdImage();
        for (int fd = FirstFd; fd <= LastFd; fd++)
        {
            var r = env.SkiffRootless("run", "--rm", "--tls-verify=false", "-w", $"/proc/self/fd/{fd}", image, "sh", "-c", LeakedDescriptorTests.WhereIsCwd);
            if (r.ExitCode != 0) Assert.Contains("process.cwd", r.Stderr, StringComparison.Ordinal);
            else Assert.True(LeakedDescriptorTests.Inside(r.Stdout), $"rootless -w /proc/self/fd/{fd}: {r}");
        }
    }
}
