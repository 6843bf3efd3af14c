using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Runtime;

/// <summary>
/// The effect, seen from inside the container, of create's --no-pivot and --no-new-keyring and exec's --preserve-fds
/// and --cap.
/// </summary>
public class CreateAndExecFlagTests
{
    /// <summary>
    /// --no-pivot moves the root onto / and chroots into it: the container runs with the rootfs as its / and the
    /// classic chroot escape (chroot deeper, walk up with "..", chroot there) ends inside it, as under pivot_root.
    /// </summary>
    [RequiresProgramsFact("clang", X64Only = true)]
    public async Task No_pivot_runs_the_container_on_its_rootfs_and_a_chroot_escape_stays_inside()
    {
        using var b = new TestBundle("/bin/chroot-escape", "/esc", "");
        File.Copy(AttackPrograms.Build("chroot-escape"), Path.Combine(b.Dir, "rootfs/bin/chroot-escape"));
        Directory.CreateDirectory(Path.Combine(b.Dir, "rootfs/esc"));
        string marker = Path.Combine(b.Dir, "config.json"); // on the host only
        b.Process["args"]![2] = marker;
        foreach (string flag in new[] { "--no-pivot", "" })
        {
            string[] args = flag.Length > 0 ? ["run", flag, "--bundle", b.Dir, "np1"] : ["run", "--bundle", b.Dir, "np1"];
            var r = await b.Runtime(args);
            Assert.True(r.ExitCode == 0, $"{flag}: {r.Stderr}");
            Assert.Equal("container\n", r.Stdout);
        }
        b.Process["args"] = new JsonArray("sh", "-c", "head -1 /proc/self/mountinfo | cut -d' ' -f4,5; ls /; echo ok");
        var ls = await b.Runtime("run", "--no-pivot", "--bundle", b.Dir, "np2");
        Assert.True(ls.ExitCode == 0, ls.Stderr);
        Assert.Equal($"{Path.Combine(b.Dir, "rootfs")} /\nbin\ndev\nesc\netc\nproc\nsys\nok\n", ls.Stdout);
    }

    /// <summary>
    /// Without --no-new-keyring the init joins a new session keyring named _ses.ID (runc's); with it, the container
    /// keeps the caller's. /proc/keys (unmasked here) shows the keyrings the process may view.
    /// </summary>
    [Fact]
    public async Task No_new_keyring_keeps_the_callers_session_keyring()
    {
        using var b = new TestBundle("cat", "/proc/keys");
        var masked = b.Config["linux"]!["maskedPaths"]!.AsArray();
        masked.Remove(masked.First(p => p!.GetValue<string>() == "/proc/keys"));
        var fresh = await b.Runtime("run", "--bundle", b.Dir, "kr1");
        Assert.True(fresh.ExitCode == 0, fresh.Stderr);
        Assert.Matches(@"(?m)^[0-9a-f]{8} .* keyring +_ses\.kr1: ", fresh.Stdout);
        var kept = await b.Runtime("run", "--no-new-keyring", "--bundle", b.Dir, "kr2");
        Assert.True(kept.ExitCode == 0, kept.Stderr);
        // kr1's keyring may still be listed until the kernel's key collector runs: only kr2's own would be wrong.
        Assert.DoesNotContain("_ses.kr2", kept.Stdout, StringComparison.Ordinal);
        Assert.Contains(" keyring ", kept.Stdout, StringComparison.Ordinal);
    }

    /// <summary>exec --preserve-fds N: fds 3 to 3+N-1 of the caller are open in the exec'd process, and only with it.</summary>
    [Fact]
    public async Task Exec_preserve_fds_passes_the_callers_descriptors()
    {
        using var b = new TestBundle("sleep", "60");
        Assert.Equal(0, (await b.Runtime("run", "--detach", "--bundle", b.Dir, "pf1")).ExitCode);
        string data = Path.Combine(b.Dir, "passed");
        File.WriteAllText(data, "through fd 3\n");
        string[] exec(params string[] flags) => ["-c", $"exec 3<{data}; exec \"$0\" \"$@\"", RuntimeBinary.Path, .. b.Global(["exec", .. flags, "pf1", "sh", "-c", "cat <&3"])];
        var passed = await Runner.RunAsync("/bin/sh", exec("--preserve-fds", "1"));
        Assert.True(passed.ExitCode == 0, passed.Stderr);
        Assert.Equal("through fd 3\n", passed.Stdout);
        var closed = await Runner.RunAsync("/bin/sh", exec());
        Assert.NotEqual(0, closed.ExitCode);
        Assert.Equal("", closed.Stdout);
        await b.Runtime("delete", "--force", "pf1");
    }

    /// <summary>exec --cap CAP_X: the exec'd process has it effective (and bounding), on top of the container's set.</summary>
    [Fact]
    public async Task Exec_cap_adds_the_capability()
    {
        using var b = new TestBundle("sleep", "60");
        Assert.Equal(0, (await b.Runtime("run", "--detach", "--bundle", b.Dir, "cp1")).ExitCode);
        static ulong Caps(string status, string set) => ulong.Parse(status.Split('\n').First(l => l.StartsWith(set + ":", StringComparison.Ordinal))[(set.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var plain = await b.Runtime("exec", "cp1", "cat", "/proc/self/status");
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        var added = await b.Runtime("exec", "--cap", "CAP_NET_ADMIN", "--cap", "CAP_SYS_TIME", "cp1", "cat", "/proc/self/status");
        Assert.True(added.ExitCode == 0, added.Stderr);
        const ulong netAdmin = 1UL << 12, sysTime = 1UL << 25;
        Assert.Equal(0UL, Caps(plain.Stdout, "CapEff") & (netAdmin | sysTime));
        Assert.Equal(Caps(plain.Stdout, "CapEff") | netAdmin | sysTime, Caps(added.Stdout, "CapEff"));
        Assert.Equal(netAdmin | sysTime, Caps(added.Stdout, "CapBnd") & (netAdmin | sysTime));
        await b.Runtime("delete", "--force", "cp1");
    }
}
