using System.Text.Json.Nodes;

namespace Skiff.EndToEnd.Runtime;

/// <summary>The effect of each mount-related config.json field, seen from inside the container.</summary>
public sealed class RootfsFeatureTests
{
    public RootfsFeatureTests()
    {
        Assert.True(Environment.UserName == "root", "the runtime end-to-end tests run as root");
    }

    private static (string MountPoint, string Options, string FsType, string Root) Mount(string mountinfo, string point) =>
        RootfsModes.MountInfo(mountinfo).Last(m => m.MountPoint == point);

    private static async Task<RunResult> Ok(TestBundle b, RuntimeMode mode = RuntimeMode.Root)
    {
        var r = await b.Run(mode);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        return r;
    }

    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task MaskedPathsAreEmptyAndReadOnlyPathsAreReadOnly(RuntimeMode mode)
    {
        using var b = new TestBundle("sh", "-c", "cat /proc/keys | wc -c; ls -A /proc/acpi | wc -l; ls -A /sys/firmware | wc -l; cat /proc/self/mountinfo");
        var r = await Ok(b, mode);
        string[] lines = r.Stdout.Split('\n');
        Assert.Equal(["0", "0", "0"], lines[..3].Select(l => l.Trim()));
        foreach (string ro in new[] { "/proc/sys", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/acpi", "/sys/firmware" })
            Assert.StartsWith("ro,", Mount(r.Stdout, ro).Options, StringComparison.Ordinal);
        Assert.Equal("tmpfs", Mount(r.Stdout, "/proc/acpi").FsType);
    }

    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task SysctlsAreWrittenInTheContainersNamespaces(RuntimeMode mode)
    {
        using var b = new TestBundle("cat", "/proc/sys/net/ipv4/ping_group_range", "/proc/sys/kernel/shmmni");
        b.Linux()["sysctl"] = new JsonObject { ["net.ipv4.ping_group_range"] = "0 0", ["kernel.shmmni"] = "1234" };
        var r = await Ok(b, mode);
        Assert.Equal("0\t0\n1234\n", r.Stdout);
        Assert.NotEqual("1234", File.ReadAllText("/proc/sys/kernel/shmmni").Trim());
    }

    [Fact]
    public async Task ASysctlOutsideTheContainersNamespacesIsRefused()
    {
        using var b = new TestBundle("true");
        b.Linux()["namespaces"]!.AsArray().Remove(b.Linux()["namespaces"]!.AsArray().First(n => n!["type"]!.GetValue<string>() == "network"));
        b.Linux()["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = "1" };
        string before = File.ReadAllText("/proc/sys/net/ipv4/ip_forward");
        var r = await b.Run(RuntimeMode.Root);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("skiff-runtime: sysctl net.ipv4.ip_forward is not allowed in the host's network namespace: the container needs a network namespace\n", r.Stderr);
        Assert.Equal(before, File.ReadAllText("/proc/sys/net/ipv4/ip_forward"));
    }

    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task TmpcopyupStartsTheTmpfsWithTheDirectorysContents(RuntimeMode mode)
    {
        using var b = new TestBundle("sh", "-c", "cat /opt/seed/a /opt/seed/sub/b; readlink /opt/seed/link; ls -l /opt/seed/a; echo changed > /opt/seed/a; cat /proc/self/mountinfo");
        string seed = Path.Combine(b.Rootfs(), "opt/seed");
        Directory.CreateDirectory(Path.Combine(seed, "sub"));
        File.WriteAllText(Path.Combine(seed, "a"), "A\n");
        File.SetUnixFileMode(Path.Combine(seed, "a"), (UnixFileMode)0x1a0); // 0640
        File.WriteAllText(Path.Combine(seed, "sub/b"), "B\n");
        File.CreateSymbolicLink(Path.Combine(seed, "link"), "a");
        b.AddMount("/opt/seed", "tmpfs", "tmpfs", "rw", "rprivate", "nosuid", "nodev", "tmpcopyup");
        var r = await Ok(b, mode);
        string[] lines = r.Stdout.Split('\n');
        Assert.Equal(["A", "B", "a"], lines[..3]);
        Assert.StartsWith("-rw-r-----", lines[3], StringComparison.Ordinal);
        Assert.Equal("tmpfs", Mount(r.Stdout, "/opt/seed").FsType);
        Assert.Equal("A\n", File.ReadAllText(Path.Combine(seed, "a"))); // the image is untouched
    }

    [Fact]
    public async Task BindFlagsAndRecursiveReadOnly()
    {
        using var b = new TestBundle("sh", "-c", "cat /proc/self/mountinfo; cat /nsf/link || echo nosymfollow");
        string src = Path.Combine(b.Dir, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "target"), "t");
        File.CreateSymbolicLink(Path.Combine(src, "link"), "target");
        b.AddMount("/ro", "bind", "/sys", "rbind", "ro");
        b.AddMount("/rro", "bind", "/sys", "rbind", "rro");
        b.AddMount("/nsf", "bind", src, "bind", "nosymfollow", "noexec", "nodev");
        var r = await Ok(b);
        Assert.StartsWith("ro,", Mount(r.Stdout, "/ro").Options, StringComparison.Ordinal);
        Assert.StartsWith("rw,", Mount(r.Stdout, "/ro/fs/cgroup").Options, StringComparison.Ordinal); // ro is not recursive...
        Assert.StartsWith("ro,", Mount(r.Stdout, "/rro/fs/cgroup").Options, StringComparison.Ordinal); // ...rro is
        Assert.Equal("rw,nodev,noexec,relatime,nosymfollow", Mount(r.Stdout, "/nsf").Options);
        Assert.EndsWith("nosymfollow\n", r.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A bind's flags become exactly those asked for (runc's and crun's rule: "ro" on a nosuid source clears
    /// nosuid), except in a user namespace, where the flags the kernel locked on a more privileged mount are kept.
    /// </summary>
    [Theory]
    [InlineData(false, "ro,relatime")]
    [InlineData(true, "ro,nosuid,nodev,relatime")]
    public async Task ABindRemountKeepsTheFlagsAUserNamespaceCannotClear(bool rootless, string options)
    {
        using var b = new TestBundle("cat", "/proc/self/mountinfo");
        string src = Path.Combine(b.Dir, "src");
        Directory.CreateDirectory(src);
        b.AddMount("/data", "bind", src, "bind", "ro");
        b.Save();
        // The source is a nosuid,nodev tmpfs that exists only in a mount namespace made for this run.
        string[] argv = [RuntimeBinary.Path, .. b.Global("run", "--bundle", b.Dir, "lk")];
        string runtime = string.Join(' ', argv.Select(a => $"'{a}'"));
        string script = $"mount -t tmpfs -o nosuid,nodev tmpfs '{src}' && exec {(rootless ? "unshare --user --map-root-user --mount " : "")}{runtime}";
        var r = await Runner.RunAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(options, Mount(r.Stdout, "/data").Options);
    }

    [Fact]
    public async Task TmpfsSizeAndModeAndUnknownOptionsNamed()
    {
        using var b = new TestBundle("sh", "-c", "ls -ld /t; cat /proc/self/mountinfo");
        b.AddMount("/t", "tmpfs", "tmpfs", "mode=700", "size=1m", "nodev");
        var r = await Ok(b);
        Assert.StartsWith("drwx------", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("size=1024k", r.Stdout.Split('\n').Last(l => l.Contains(" /t ", StringComparison.Ordinal)), StringComparison.Ordinal);

        using var bad = new TestBundle("true");
        bad.AddMount("/t", "tmpfs", "tmpfs", "frobnicate");
        var e = await bad.Run(RuntimeMode.Root);
        Assert.Equal(1, e.ExitCode);
        Assert.Contains("frobnicate", e.Stderr, StringComparison.Ordinal);
        using var badBind = new TestBundle("true");
        badBind.AddMount("/x", "bind", "/tmp", "rbind", "frobnicate");
        Assert.Equal("skiff-runtime: mount on /x: unknown option frobnicate\n", (await badBind.Run(RuntimeMode.Root)).Stderr);
    }

    [Fact]
    public async Task IdmappedBindShowsTheOwnerThroughTheMountsMaps()
    {
        using var b = new TestBundle("ls", "-ln", "/idm/file", "/plain/file");
        string src = Path.Combine(b.Dir, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "file"), "x");
        Assert.Equal(0, (await Runner.RunAsync("chown", ["1000:1001", Path.Combine(src, "file")])).ExitCode);
        b.AddMount("/idm", "bind", src, "bind", "idmap");
        var m = b.Config["mounts"]!.AsArray()[^1]!.AsObject();
        // As runc and crun: the maps are written as they are to the mount's user namespace, so containerID is the id
        // on disk and hostID the one it shows as (here to a container without a user namespace of its own).
        m["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 1000, ["hostID"] = 0, ["size"] = 1 });
        m["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 1001, ["hostID"] = 0, ["size"] = 1 });
        b.AddMount("/plain", "bind", src, "bind");
        var r = await Ok(b);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0", "0"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..4]);
        Assert.Equal(["1000", "1001"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..4]);
    }

    [Theory]
    [InlineData(RuntimeMode.Root)]
    [InlineData(RuntimeMode.OldKernel)]
    public async Task DevicesGetTheirTypeModeAndOwnerAndDevHasItsLinks(RuntimeMode mode)
    {
        using var b = new TestBundle("sh", "-c", "ls -ln /dev/fuse /dev/myfifo /dev/sub/zero; for l in fd stdin ptmx; do readlink /dev/$l; done");
        b.Linux()["devices"] = new JsonArray(
            new JsonObject { ["path"] = "/dev/fuse", ["type"] = "c", ["major"] = 10, ["minor"] = 229, ["fileMode"] = 0x21a0, ["uid"] = 1, ["gid"] = 2 },
            new JsonObject { ["path"] = "/dev/myfifo", ["type"] = "p", ["fileMode"] = 0x1b0 },
            new JsonObject { ["path"] = "/dev/sub/zero", ["type"] = "c", ["major"] = 1, ["minor"] = 5 });
        var r = await Ok(b, mode);
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["crw-r-----", "1", "1", "2", "10,", "229"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..6]);
        Assert.StartsWith("prw-rw----", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("crw-rw-rw-", lines[2], StringComparison.Ordinal);
        Assert.Equal(["/proc/self/fd", "/proc/self/fd/0", "pts/ptmx"], lines[3..]);
    }

    [Fact]
    public async Task WithoutACgroupNamespaceEachHierarchyShowsTheInitsOwnCgroupReadOnly()
    {
        using var b = new TestBundle("sh", "-c", "cat /proc/self/cgroup; echo ---; cat /proc/self/mountinfo");
        var namespaces = b.Linux()["namespaces"]!.AsArray();
        namespaces.Remove(namespaces.First(n => n!["type"]!.GetValue<string>() == "cgroup"));
        var r = await Ok(b);
        string[] parts = r.Stdout.Split("---\n");
        // Without a cgroup namespace /proc/self/cgroup shows the full paths: each hierarchy is bound from exactly there.
        foreach (string line in parts[0].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(':', 3);
            if (f[1].Length == 0 || !Directory.Exists("/sys/fs/cgroup/" + f[1].Replace("name=", "", StringComparison.Ordinal))) continue;
            var m = Mount(parts[1], "/sys/fs/cgroup/" + f[1].Replace("name=", "", StringComparison.Ordinal));
            Assert.Equal(f[2], m.Root);
            Assert.StartsWith("ro,", m.Options, StringComparison.Ordinal);
        }
        Assert.StartsWith("ro,", Mount(parts[1], "/sys/fs/cgroup").Options, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task AReadOnlyRootKeepsItsTmpfsWritable(RuntimeMode mode)
    {
        using var b = new TestBundle("sh", "-c", "echo > /x 2>/dev/null && echo rw || echo ro; echo > /dev/shm/x && echo shm-rw");
        b.Config["root"]!["readonly"] = true;
        Assert.Equal("ro\nshm-rw\n", (await Ok(b, mode)).Stdout);
    }

    /// <summary>The optional fields (shared:N, master:N) of the root's mountinfo line.</summary>
    private static string[] RootPropagation(string mountinfo)
    {
        string[] f = mountinfo.Split('\n').First(l => l.Split(' ') is { Length: > 4 } x && x[4] == "/").Split(' ');
        return f[6..Array.IndexOf(f, "-")];
    }

    [Fact]
    public async Task RootfsPropagationIsAppliedToTheNewRoot()
    {
        using var b = new TestBundle("cat", "/proc/self/mountinfo");
        // rslave by default: a slave of the host's root where that is shared, private where it is not; never shared.
        Assert.DoesNotContain(RootPropagation((await Ok(b)).Stdout), o => o.StartsWith("shared:", StringComparison.Ordinal));
        b.Linux()["rootfsPropagation"] = "private";
        Assert.Empty(RootPropagation((await Ok(b)).Stdout));
        b.Linux()["rootfsPropagation"] = "shared";
        Assert.Contains(RootPropagation((await Ok(b)).Stdout), o => o.StartsWith("shared:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NothingButProcMayBeMountedInsideProc()
    {
        using var b = new TestBundle("true");
        b.AddMount("/proc/self/attr", "bind", "/tmp", "rbind");
        var r = await b.Run(RuntimeMode.Root);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("skiff-runtime: /proc/self/attr cannot be mounted because it is inside /proc\n", r.Stderr);
    }
}
