using Skiff.TestSupport;

namespace Skiff.EndToEnd.Runtime.Attacks;

/// <summary>
/// The runc CVE-2024-21626 class: a process.cwd (or exec --cwd) of /proc/self/fd/N reaching a descriptor the
/// runtime leaked, whose directory is on the host; and leaked descriptors in general.
/// </summary>
public class LeakedDescriptorTests
{
    /// <summary>
    /// Prints the cwd's path and "same" when the cwd is the directory that path names inside the container, else
    /// "ELSEWHERE". A leaked host directory shows as "(unreachable)/..." or, once its mount is detached by pivot_root,
    /// as a plain "/" that is not the container's /: only the inode tells.
    /// </summary>
    internal const string WhereIsCwd = "p=$(readlink /proc/self/cwd); echo \"$p\"; [ \"$(stat -c %d:%i .)\" = \"$(stat -c %d:%i \"$p\" 2>/dev/null)\" ] && echo same || echo ELSEWHERE";

    /// <summary>The container ran in its own root: the path is the container's and the cwd is what it names.</summary>
    internal static bool Inside(string stdout) =>
        stdout.StartsWith('/') && !stdout.Contains("unreachable", StringComparison.Ordinal) && stdout.EndsWith("\nsame\n", StringComparison.Ordinal);

    /// <summary>
    /// A cwd outside the process's root shows as "(unreachable)/..." in /proc/self/cwd: that is the escape. The
    /// runtime resolves process.cwd inside the root with magic links refused, so /proc/self/fd/N either fails
    /// or, read as the text of a link, names a directory inside the container.
    /// </summary>
    [Fact]
    public async Task A_cwd_through_proc_self_fd_never_starts_the_container_outside_its_root()
    {
        for (int fd = 3; fd <= 12; fd++)
        {
            using var b = new TestBundle("sh", "-c", WhereIsCwd);
            b.Process["cwd"] = $"/proc/self/fd/{fd}";
            var r = await b.Runtime("run", "--bundle", b.Dir, $"cwd{fd}");
            if (r.ExitCode != 0)
            {
                Assert.Contains("process.cwd", r.Stderr, StringComparison.Ordinal);
                continue;
            }
            Assert.True(Inside(r.Stdout),
                $"cwd /proc/self/fd/{fd}: the container started outside its root: {r.Stdout}");
        }
    }

    /// <summary>The same, rootless: skiff-runtime as uid 0 of a user namespace the test user made.</summary>
    [RootFact]
    public async Task Rootless_a_cwd_through_proc_self_fd_never_starts_the_container_outside_its_root()
    {
        using var b = new TestBundle("sh", "-c", WhereIsCwd);
        b.Process.Remove("rlimits");
        for (int fd = 3; fd <= 12; fd++)
        {
            b.Process["cwd"] = $"/proc/self/fd/{fd}";
            var r = await b.RuntimeRootless("run", "--bundle", b.Dir, $"rcwd{fd}");
            if (r.ExitCode != 0)
            {
                Assert.Contains("process.cwd", r.Stderr, StringComparison.Ordinal);
                continue;
            }
            Assert.True(Inside(r.Stdout),
                $"cwd /proc/self/fd/{fd}: the rootless container started outside its root: {r.Stdout}");
        }
    }

    [Fact]
    public async Task Exec_with_a_cwd_through_proc_self_fd_never_runs_outside_the_root()
    {
        using var b = new TestBundle("sleep", "60");
        Assert.Equal(0, (await b.Runtime("run", "--bundle", b.Dir, "--detach", "cwdx")).ExitCode);
        for (int fd = 3; fd <= 12; fd++)
        {
            var r = await b.Runtime("exec", "--cwd", $"/proc/self/fd/{fd}", "cwdx", "sh", "-c", WhereIsCwd);
            Assert.True(r.ExitCode != 0 || Inside(r.Stdout),
                $"exec --cwd /proc/self/fd/{fd}: ran outside the container's root: {r.Stdout}");
        }
        await b.Runtime("delete", "--force", "cwdx");
    }

    [Fact]
    public async Task The_container_gets_only_stdio_and_the_preserved_fds()
    {
        using var b = new TestBundle("ls", "/proc/self/fd");
        var plain = await b.Runtime("run", "--bundle", b.Dir, "fd1");
        Assert.Equal("0\n1\n2\n3\n", plain.Stdout); // 3: ls's own directory
        var preserved = await Runner.RunAsync("/bin/sh", ["-c", "exec 3</dev/null 4</dev/null; exec \"$0\" \"$@\"", RuntimeBinary.Path,
            .. b.Global("run", "--preserve-fds", "2", "--bundle", b.Dir, "fd2")]);
        Assert.True(preserved.ExitCode == 0, preserved.Stderr);
        Assert.Equal("0\n1\n2\n3\n4\n5\n", preserved.Stdout);
    }
}
