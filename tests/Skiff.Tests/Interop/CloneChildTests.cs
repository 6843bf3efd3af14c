using System.Diagnostics;
using Skiff.Interop;
using Skiff.TestSupport;

namespace Skiff.Tests.Interop;

[Collection(ProcessSpawningCollection.Name)]
public class CloneChildTests
{
    private static readonly string[] NoEnv = ["PATH=/usr/bin:/bin"];

    /// <summary>
    /// Starts `sh -c SCRIPT` held before exec, with fd 3 a pipe back to us; runs <paramref name="whileHeld"/>,
    /// releases it, checks it exits 0 and returns what it wrote to fd 3.
    /// </summary>
    private static string RunCapturing(string script, ulong namespaces = 0, string[]? env = null, Action<CloneChild>? whileHeld = null)
    {
        var (read, write) = Libc.Pipe2();
        using (read)
        {
            using (write)
            {
                using var child = CloneChild.Start(new CloneStartInfo
                {
                    Path = "/bin/sh",
                    Args = ["sh", "-c", script],
                    Env = env ?? NoEnv,
                    ExtraFds = [write.Fd],
                    NamespaceFlags = namespaces,
                });
                whileHeld?.Invoke(child);
                child.Release();
                Assert.Equal(0, child.WaitForExit());
            }
            return System.Text.Encoding.UTF8.GetString(Libc.ReadToEnd(read.Fd));
        }
    }

    [Fact]
    public void RunsProgramAndReturnsItsExitCode()
    {
        using var child = CloneChild.Run(new CloneStartInfo { Path = "/bin/sh", Args = ["sh", "-c", "exit 7"], Env = NoEnv });
        Assert.Equal(7, child.WaitForExit());
    }

    [Fact]
    public void KilledChildReports128PlusSignal()
    {
        using var child = CloneChild.Run(new CloneStartInfo { Path = "/bin/sh", Args = ["sh", "-c", "kill -9 $$"], Env = NoEnv });
        Assert.Equal(128 + 9, child.WaitForExit());
    }

    [Fact]
    public void MissingProgramExits127()
    {
        using var child = CloneChild.Run(new CloneStartInfo { Path = "/nonexistent/prog", Args = ["prog"], Env = NoEnv });
        Assert.Equal(127, child.WaitForExit());
    }

    [Fact]
    public void ChildWaitsForReleaseAndGetsEnvironmentExtraFdsAndEmptySignalMask()
    {
        string text = RunCapturing("echo \"$GREETING\" >&3; grep -E '^SigBlk' /proc/self/status >&3",
            env: ["GREETING=hello", "PATH=/usr/bin:/bin"],
            whileHeld: child =>
            {
                // Blocked before exec: its command line is still ours.
                Thread.Sleep(50);
                Assert.NotEqual("sh", File.ReadAllText($"/proc/{child.Pid}/comm").Trim());
            });
        Assert.Equal("hello\nSigBlk:\t0000000000000000\n", text);
    }

    [Fact]
    public void DisposeWithoutReleaseKillsTheChild()
    {
        var child = CloneChild.Start(new CloneStartInfo { Path = "/bin/true", Args = ["true"], Env = NoEnv });
        int pid = child.Pid;
        child.Dispose();
        Assert.False(Directory.Exists($"/proc/{pid}"));
    }

    [RootFact]
    public void NewNamespacesAsRoot()
    {
        string[] lines = RunCapturing("echo $$ >&3; readlink /proc/self/ns/uts >&3",
            CloneFlags.NewPid | CloneFlags.NewUts | CloneFlags.NewIpc).Split('\n');
        Assert.Equal("1", lines[0]);
        Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/uts", false)!.ToString(), lines[1]);
    }

    [RootFact]
    public void ParentWritesUidMapBeforeRelease()
    {
        string[] lines = RunCapturing("cat /proc/self/uid_map >&3; id -u >&3", CloneFlags.NewUser,
                whileHeld: child => File.WriteAllText($"/proc/{child.Pid}/uid_map", "0 0 1\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["0", "0", "1"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("0", lines[1]);
    }

    [Fact]
    public void DecodeFollowsThe128PlusSignalConvention()
    {
        Assert.Equal(3, ProcessExit.Decode(3 << 8));
        Assert.Equal(137, ProcessExit.Decode(9));
        Assert.Equal(143, ProcessExit.Decode(15 | 0x80)); // core dumped bit
    }
}

/// <summary>What the launch routine adds to cloning: failures reported by step, fds safe from the dup3 range, sealed copies.</summary>
[Collection(ProcessSpawningCollection.Name)]
public class CloneLaunchTests
{
    private static readonly string[] NoEnv = ["PATH=/usr/bin:/bin"];

    [Fact]
    public void AFailingSetupStepIsReportedByNameAndTheChildExits127()
    {
        using var child = CloneChild.Run(new CloneStartInfo
        {
            Path = "/bin/true", Args = ["true"], Env = NoEnv,
            Setup = p => p.Chdir("/nonexistent-directory"),
        });
        Assert.Equal(127, child.WaitForExit());
        Assert.Equal("change directory to /nonexistent-directory: No such file or directory", child.LaunchError?.Message);
    }

    [Fact]
    public void AMissingProgramIsReportedWithItsErrno()
    {
        using var child = CloneChild.Run(new CloneStartInfo { Path = "/nonexistent/prog", Args = ["prog"], Env = NoEnv });
        Assert.Equal(127, child.WaitForExit());
        Assert.Equal(Errno.ENOENT, child.LaunchError?.Errno);
        Assert.Equal("execute /nonexistent/prog: No such file or directory", child.LaunchError?.Message);
    }

    [Fact]
    public void ASuccessfulStartHasNoLaunchError()
    {
        using var child = CloneChild.Run(new CloneStartInfo { Path = "/bin/true", Args = ["true"], Env = NoEnv });
        Assert.Equal(0, child.WaitForExit());
        Assert.Null(child.LaunchError);
    }

    [Fact]
    public void ManyExtraFdsNeverClobberThePipesTheChildStillNeeds()
    {
        // 60 extras fill 3..62, where the sync and report pipes (lowest free numbers) usually sit: a report pipe
        // clobbered by dup3 would look like a successful exec and free the program under the running child.
        var (read, write) = Libc.Pipe2();
        using (read)
        {
            using (write)
            {
                var extras = Enumerable.Repeat(write.Fd, 60).ToArray();
                using var child = CloneChild.Run(new CloneStartInfo
                {
                    Path = "/bin/sh", Args = ["sh", "-c", "[ -e /proc/self/fd/62 ] && echo ok >&3; ls /proc/self/fd | wc -l >&3"], Env = NoEnv, ExtraFds = extras,
                });
                Assert.Null(child.LaunchError);
                Assert.Equal(0, child.WaitForExit());
            }
            string[] lines = System.Text.Encoding.UTF8.GetString(Libc.ReadToEnd(read.Fd)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("ok", lines[0]);
            // 0,1,2, the 60 extras, and ls's own directory fd: nothing else leaked through exec.
            Assert.Equal("64", lines[1].Trim());
        }
    }

    [Fact]
    public void AProgramStartedFromASealedCopyCannotWriteItsExecutable()
    {
        using var copy = Skiff.Interop.Launch.SealedExecutable.CopyToMemfd("/bin/busybox", "busybox-copy");
        Assert.StartsWith("/memfd:busybox-copy", ExecutableAfterAWriteAttempt(copy), StringComparison.Ordinal);
    }

    [RootFact]
    public void AProgramStartedThroughTheReadOnlyOverlayCannotWriteItsExecutable()
    {
        string empty = Directory.CreateTempSubdirectory("skiff-empty-lower-").FullName;
        string busybox = Path.Combine(Directory.CreateTempSubdirectory("skiff-busybox-").FullName, "busybox");
        File.Copy("/bin/busybox", busybox);
        using var sealedExe = Skiff.Interop.Launch.SealedExecutable.ThroughReadOnlyOverlay(busybox, empty);
        Assert.NotNull(sealedExe); // root on a kernel with the new mount API: the overlay, not the memfd fallback
        string before = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(busybox)));
        Assert.Equal("/busybox", ExecutableAfterAWriteAttempt(sealedExe)); // its path in a mount of no namespace
        Assert.Equal(before, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(busybox))));
    }

    /// <summary>
    /// Starts busybox from <paramref name="exe"/>: it appends to /proc/self/exe, which must fail; returns what
    /// /proc/self/exe pointed at.
    /// </summary>
    private static string ExecutableAfterAWriteAttempt(SafeFd exe)
    {
        var (read, write) = Libc.Pipe2();
        using (read)
        {
            using (write)
            {
                using var child = CloneChild.Run(new CloneStartInfo
                {
                    ExecFd = exe.Fd, Args = ["sh", "-c", "readlink /proc/self/exe >&3; echo x >> /proc/self/exe && echo WROTE >&3; true"],
                    Env = NoEnv, ExtraFds = [write.Fd],
                });
                Assert.Null(child.LaunchError);
                Assert.Equal(0, child.WaitForExit());
            }
            string output = System.Text.Encoding.UTF8.GetString(Libc.ReadToEnd(read.Fd));
            Assert.DoesNotContain("WROTE", output, StringComparison.Ordinal);
            return output.Trim();
        }
    }
}
