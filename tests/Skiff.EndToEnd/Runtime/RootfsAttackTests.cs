using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Skiff.EndToEnd.Runtime;

/// <summary>
/// An image (or a process racing the runtime) tries to make the root's construction act outside the root:
/// symbolic links at mount destinations, at /dev, at masked and read-only paths, at device paths, and the
/// runc CVE-2021-30465 swap of a directory and a link while mounts are made. Each runs as root, rootless
/// (a user namespace, as rootless Skiff runs the runtime) and as on a kernel without openat2 and the new
/// mount API. A host directory stands for "outside": it must not change, and what was asked for must land
/// inside the root.
/// </summary>
public sealed class RootfsAttackTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _host = Directory.CreateTempSubdirectory("skiff-host-").FullName;

    public RootfsAttackTests(ITestOutputHelper output)
    {
        Assert.True(Environment.UserName == "root", "the runtime end-to-end tests run as root");
        _output = output;
        File.WriteAllText(Path.Combine(_host, "marker"), "host");
        File.WriteAllText(Path.Combine(_host, "victim"), "victim");
    }

    public void Dispose() => Directory.Delete(_host, recursive: true);

    /// <summary>The host directory holds exactly what it held, unchanged.</summary>
    private void AssertHostUntouched()
    {
        Assert.Equal(["marker", "victim"], Directory.GetFileSystemEntries(_host).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("host", File.ReadAllText(Path.Combine(_host, "marker")));
        Assert.Equal("victim", File.ReadAllText(Path.Combine(_host, "victim")));
        Assert.Null(new FileInfo(Path.Combine(_host, "victim")).LinkTarget);
    }

    private static string Climb(string path) => "../../../../../../../../../.." + path;

    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task MountDestinationsThatAreLinksOutOfTheRootLandInsideIt(RuntimeMode mode)
    {
        using var b = new TestBundle("cat", "/proc/self/mountinfo");
        string rootfs = b.Rootfs();
        File.CreateSymbolicLink(Path.Combine(rootfs, "abs"), _host);                 // last component, absolute
        File.CreateSymbolicLink(Path.Combine(rootfs, "up"), Climb(_host));           // last component, ../ form
        File.CreateSymbolicLink(Path.Combine(rootfs, "inner"), _host);               // inner component
        File.CreateSymbolicLink(Path.Combine(rootfs, "innerup"), Climb(_host));      // inner component, ../ form
        Directory.CreateDirectory(Path.Combine(b.Dir, "src"));
        File.WriteAllText(Path.Combine(b.Dir, "file"), "bound");
        b.AddMount("/abs", "tmpfs", "tmpfs", "size=1m");
        b.AddMount("/up", "tmpfs", "tmpfs", "size=2m");
        b.AddMount("/inner/sub", "bind", Path.Combine(b.Dir, "src"), "bind");
        b.AddMount("/innerup/newfile", "bind", Path.Combine(b.Dir, "file"), "bind", "ro");

        var r = await b.Run(mode);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var points = RootfsModes.MountInfo(r.Stdout).Select(m => m.MountPoint).ToList();
        // Inside the container, the root's own <host path>: where a chroot to the root resolves the links.
        Assert.Equal(2, points.Count(p => p == _host));
        Assert.Contains(_host + "/sub", points);
        Assert.Contains(_host + "/newfile", points);
        Assert.True(Directory.Exists(rootfs + _host), "the mount point is created inside the root");
        AssertHostUntouched();
    }

    /// <summary>
    /// Once the container's /proc is mounted, /proc/self/root is the init's root: before pivot_root, the host's.
    /// A destination through it is refused (openat2 RESOLVE_NO_MAGICLINKS), or, where the walk reads the link,
    /// taken as the path it names inside the root; the host's directory never gets the mount point.
    /// </summary>
    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task AMountDestinationThroughAProcMagicLinkNeverReachesTheHost(RuntimeMode mode)
    {
        using var b = new TestBundle("cat", "/proc/self/mountinfo");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs(), "magic"), "/proc/self/root" + _host);
        b.AddMount("/magic/made", "tmpfs", "tmpfs", "size=1m"); // after the bundle's /proc
        var r = await b.Run(mode);
        if (r.ExitCode != 0) Assert.Contains("/proc magic link", r.Stderr, StringComparison.Ordinal);
        else Assert.Contains(RootfsModes.MountInfo(r.Stdout), m => m.MountPoint == _host + "/made");
        AssertHostUntouched();
    }

    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task AnImageWhoseDevIsALinkOutOfTheRootGetsItsDevInside(RuntimeMode mode)
    {
        using var b = new TestBundle("sh", "-c", "echo x > /dev/null && ls /dev/ && readlink /dev");
        File.CreateSymbolicLink(Path.Combine(b.Rootfs(), "dev"), _host);
        var r = await b.Run(mode);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("null\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("ptmx\n", r.Stdout, StringComparison.Ordinal);
        AssertHostUntouched();
    }

    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task MaskedAndReadOnlyPathsThatAreLinksActInsideTheRoot(RuntimeMode mode)
    {
        using var b = new TestBundle("sh", "-c", "cat /etc/secret; echo .; echo x > /data/f && echo writable || echo read-only; ls " + "/" + "escape 2>&1 | wc -l");
        b.Applets("ls");
        string rootfs = b.Rootfs();
        File.WriteAllText(Path.Combine(rootfs, "etc/secret"), "secret");
        File.CreateSymbolicLink(Path.Combine(rootfs, "etc/masklink"), "/etc/secret");
        Directory.CreateDirectory(Path.Combine(rootfs, "data"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "rolink"), "../data");
        File.CreateSymbolicLink(Path.Combine(rootfs, "escape"), _host);
        File.CreateSymbolicLink(Path.Combine(rootfs, "escapefile"), Climb(_host) + "/victim");
        b.Linux()["maskedPaths"]!.AsArray().Add("/etc/masklink");
        b.Linux()["maskedPaths"]!.AsArray().Add("/escape");
        b.Linux()["maskedPaths"]!.AsArray().Add("/escapefile");
        b.Linux()["readonlyPaths"]!.AsArray().Add("/rolink");
        b.Linux()["readonlyPaths"]!.AsArray().Add("/escape");

        var r = await b.Run(mode);
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] lines = r.Stdout.Split('\n');
        Assert.Equal(".", lines[0]); // the secret the link names is masked
        Assert.Equal("read-only", lines[1]);
        Assert.Equal("secret", File.ReadAllText(Path.Combine(rootfs, "etc/secret")));
        AssertHostUntouched();
        File.WriteAllText(Path.Combine(_host, "marker"), "host"); // still writable on the host
    }

    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task DevicePathsThatAreLinksAreReplacedInsideTheRoot(RuntimeMode mode)
    {
        // No /dev mount: the image's own /dev gets the standard nodes, as with runc.
        using var b = new TestBundle("sh", "-c", "ls -l /dev/zero; echo x > /dev/zero && echo ok");
        b.RemoveMounts(d => d.StartsWith("/dev", StringComparison.Ordinal));
        string dev = Path.Combine(b.Rootfs(), "dev");
        Directory.CreateDirectory(dev);
        File.CreateSymbolicLink(Path.Combine(dev, "zero"), _host + "/victim");   // the last component
        File.CreateSymbolicLink(Path.Combine(dev, "sub"), Climb(_host));         // an inner one
        if (mode != RuntimeMode.Rootless) // rootless binds devices from the host's same path, which must exist
            b.Linux()["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/sub/null", ["type"] = "c", ["major"] = 1, ["minor"] = 3 });

        var r = await b.Run(mode);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith("c", r.Stdout, StringComparison.Ordinal); // /dev/zero: a device now, not the link
        Assert.EndsWith("ok\n", r.Stdout, StringComparison.Ordinal);
        if (mode != RuntimeMode.Rootless) // the node is made inside the root, under its own copy of the host path
            Assert.Equal("character special file\n", (await Runner.RunAsync("stat", ["-c", "%F", b.Rootfs() + _host + "/null"])).Stdout);
        AssertHostUntouched();
    }

    /// <summary>
    /// CVE-2021-30465: a process swaps a directory on the mount destinations' path with a link to a host
    /// directory (renameat2 RENAME_EXCHANGE, in a loop) while the runtime makes the mounts. Whatever the
    /// interleaving, each mount lands inside the root (in the directory, under either of its names, or under
    /// the root's own copy of the host path) and the host directory gets nothing. SKIFF_STRESS_ITERATIONS
    /// raises the attempts (`make stress` runs thousands).
    /// </summary>
    [Theory]
    [MemberData(nameof(RootfsModes.All), MemberType = typeof(RootfsModes))]
    public async Task SwappingADestinationForALinkWhileMountingNeverReachesTheHost(RuntimeMode mode)
    {
        int attempts = int.TryParse(Environment.GetEnvironmentVariable("SKIFF_STRESS_ITERATIONS"), out int n) ? n : 8;
        const int Mounts = 8;
        using var b = new TestBundle("cat", "/proc/self/mountinfo");
        string race = Path.Combine(b.Rootfs(), "race"), link = race + ".link";
        Directory.CreateDirectory(race);
        File.CreateSymbolicLink(link, _host);
        for (int i = 0; i < Mounts; i++) b.AddMount($"/race/d{i}", "tmpfs", "tmpfs", "size=1m");
        File.WriteAllText(Path.Combine(b.Dir, "file"), "bound");
        b.AddMount("/race/f", "bind", Path.Combine(b.Dir, "file"), "bind");

        using var swapper = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(RootfsModes.ExchangeLoop, [race, link])
        {
            RedirectStandardOutput = true,
        })!;
        int ok = 0, viaLink = 0, refused = 0;
        try
        {
            for (int i = 0; i < attempts; i++)
            {
                var r = await b.Runtime(mode, "run", "--bundle", b.Dir, $"race{i}");
                AssertHostUntouched();
                if (r.ExitCode != 0)
                {
                    // A clean refusal (say, a directory made where the link was an instant before) is fine.
                    Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    refused++;
                    continue;
                }
                var points = RootfsModes.MountInfo(r.Stdout).Select(m => m.MountPoint).ToList();
                bool Inside(string p, string name) => p == $"/race/{name}" || p == $"/race.link/{name}" || p == $"{_host}/{name}";
                for (int d = 0; d < Mounts; d++) Assert.Single(points, p => Inside(p, $"d{d}"));
                Assert.Single(points, p => Inside(p, "f"));
                if (points.Any(p => p.StartsWith(_host + "/", StringComparison.Ordinal))) viaLink++;
                ok++;
            }
        }
        finally
        {
            await Runner.RunAsync("kill", ["-TERM", swapper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await swapper.WaitForExitAsync();
        }
        string swaps = (await swapper.StandardOutput.ReadToEndAsync()).Trim();
        _output.WriteLine($"{attempts} attempts: {ok} ran ({viaLink} with mounts through the link), {refused} refused; {swaps} swaps");
        Assert.Equal(0, swapper.ExitCode); // the swapping really went on all along
        Assert.NotEqual("0", swaps);
        AssertHostUntouched();
    }
}
