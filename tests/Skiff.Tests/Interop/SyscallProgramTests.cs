using System.Diagnostics;
using System.Runtime.InteropServices;
using Skiff.Interop;
using Skiff.Interop.Launch;
using Skiff.TestSupport;

namespace Skiff.Tests.Interop;

/// <summary>The native step interpreter, run on the test's own thread with harmless calls.</summary>
public unsafe class SyscallProgramTests
{
    [Fact]
    public void StepsRunInOrderAndStoreAndCheckResults()
    {
        using var program = new SyscallProgram();
        long* pid = program.Slot();
        program.Add("get our pid", Sys.Getpid, flags: SyscallProgram.StepFlags.Store | SyscallProgram.StepFlags.Expect,
            expect: Environment.ProcessId, storeAt: (nint)pid);
        program.Add("get our parent's pid", Sys.Getppid);
        program.RunHere();
        Assert.Equal(Environment.ProcessId, *pid);
    }

    [Fact]
    public void TheFirstFailingStepStopsTheProgramAndIsNamed()
    {
        using var program = new SyscallProgram();
        long* after = program.Slot();
        program.Close(987654, "close a descriptor that does not exist");
        program.Add("never reached", Sys.Getpid, flags: SyscallProgram.StepFlags.Store, storeAt: (nint)after);
        var e = Assert.Throws<LaunchException>(program.RunHere);
        Assert.Equal(Errno.EBADF, e.Errno);
        Assert.Equal("close a descriptor that does not exist: Bad file descriptor", e.Message);
        Assert.Equal(0, *after);
    }

    [Fact]
    public void AStepAllowedToFailDoesNotStopTheProgram()
    {
        using var program = new SyscallProgram();
        long* result = program.Slot();
        program.Add("close a descriptor that does not exist", Sys.Close, 987654,
            flags: SyscallProgram.StepFlags.MayFail | SyscallProgram.StepFlags.Store, storeAt: (nint)result);
        program.Add("get our pid", Sys.Getpid, flags: SyscallProgram.StepFlags.Expect, expect: Environment.ProcessId);
        program.RunHere();
        Assert.Equal(-Errno.EBADF, *result);
    }

    [Fact]
    public void AnUnexpectedResultFailsWithErrnoZero()
    {
        using var program = new SyscallProgram();
        program.Add("get our pid, expecting 1", Sys.Getpid, flags: SyscallProgram.StepFlags.Expect, expect: 1);
        var e = Assert.Throws<LaunchException>(program.RunHere);
        Assert.Equal((0, "get our pid, expecting 1: unexpected result"), (e.Errno, e.Message));
    }

    [Fact]
    public void AReadAtEndOfFileFailsTheWaitStep()
    {
        var (read, write) = Libc.Pipe2();
        using (read)
        {
            write.Dispose();
            using var program = new SyscallProgram();
            program.WaitForByte(read.Fd, "wait for the parent");
            Assert.Equal("wait for the parent: unexpected result", Assert.Throws<LaunchException>(program.RunHere).Message);
        }
    }

    [RequiresProgramsFact("scmp_sys_resolver")]
    public void SystemCallNumbersMatchLibseccomp()
    {
        string resolver = RequiresProgramsFactAttribute.Find("scmp_sys_resolver")!;
        foreach (var (arch, name) in new[] { (Architecture.X64, "x86_64"), (Architecture.Arm64, "aarch64") })
            foreach (Sys call in Enum.GetValues<Sys>())
            {
                var psi = new ProcessStartInfo(resolver, ["-a", name, SyscallNumbers.Name(call)]) { RedirectStandardOutput = true };
                using var p = Process.Start(psi)!;
                string output = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                Assert.True(output == SyscallNumbers.Of(call, arch).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"{SyscallNumbers.Name(call)} on {name}: libseccomp says {output}, we say {SyscallNumbers.Of(call, arch)}");
            }
    }

    [RequiresProgramsFact("clang", "objcopy")]
    public void TheEmbeddedMachineCodeIsTheAssembledSource()
    {
        string script = Path.Combine(RepoRoot(), "src/Skiff.Interop/Launch/native/assemble.sh");
        foreach (var (arch, name) in new[] { (Architecture.X64, "x86_64"), (Architecture.Arm64, "aarch64") })
        {
            var psi = new ProcessStartInfo("bash", [script, name]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
            byte[] assembled = [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(b => Convert.ToByte(b, 16))];
            Assert.Equal(assembled, LaunchRoutineCode(arch));
        }
    }

    /// <summary>
    /// The aarch64 routine, run for real under qemu-user: a freestanding program (tests/fixtures/launch) makes it
    /// write, store a result, skip an allowed failure, then stop at a failing close with {index 3, EBADF} and exit 127.
    /// </summary>
    [RequiresProgramsFact("clang", "ld.lld", "qemu-aarch64")]
    public void TheAarch64RoutineRunsUnderEmulation()
    {
        string repo = RepoRoot();
        string dir = Directory.CreateTempSubdirectory("skiff-a64-").FullName;
        try
        {
            string exe = Path.Combine(dir, "check");
            var build = Process.Start(new ProcessStartInfo("clang", ["--target=aarch64-linux-gnu", "-ffreestanding", "-nostdlib", "-static", "-fuse-ld=lld", "-O1",
                Path.Combine(repo, "tests/fixtures/launch/aarch64-check.c"), Path.Combine(repo, "src/Skiff.Interop/Launch/native/launch-aarch64.S"), "-o", exe])
                { RedirectStandardError = true })!;
            string buildErrors = build.StandardError.ReadToEnd();
            build.WaitForExit();
            Assert.True(build.ExitCode == 0, buildErrors);
            var run = Process.Start(new ProcessStartInfo("qemu-aarch64", [exe]) { RedirectStandardOutput = true })!;
            using var output = new MemoryStream();
            run.StandardOutput.BaseStream.CopyTo(output);
            run.WaitForExit();
            byte[] bytes = output.ToArray();
            Assert.Equal(127, run.ExitCode);
            Assert.Equal("step ok\n", System.Text.Encoding.ASCII.GetString(bytes, 0, 8));
            Assert.Equal(24, bytes.Length);
            Assert.Equal((3L, (long)Errno.EBADF), (BitConverter.ToInt64(bytes, 8), BitConverter.ToInt64(bytes, 16)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static byte[] LaunchRoutineCode(Architecture arch) => LaunchRoutine.Code(arch).ToArray();

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Skiff.slnx"))) return d.FullName;
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Skiff.slnx"))) return d.FullName;
        throw new InvalidOperationException("no Skiff.slnx above the test");
    }
}
