using System.Runtime.InteropServices;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Seccomp;

namespace Skiff.Tests.Seccomp;

public class SeccompCompilerTests
{
    private static readonly uint X86_64 = 0xC000003E, I386 = 0x40000003, Aarch64 = 0xC00000B7, Arm = 0x40000028;

    private static SeccompFilter Compile(LinuxSeccomp p, SeccompArch native = SeccompArch.X86_64)
    {
        var f = SeccompCompiler.Compile(p, native == SeccompArch.X86_64 ? Architecture.X64 : Architecture.Arm64);
        BpfInterpreter.Verify(f.Program);
        return f;
    }

    private static uint Run(SeccompFilter f, uint arch, uint nr, params ulong[] args) => BpfInterpreter.Run(f.Program, SeccompData.Of(arch, nr, args));

    private static SeccompSyscall Rule(string action, params string[] names) => new() { Names = [.. names], Action = action };

    private static SeccompSyscall Rule(string action, uint? errno, string name, params (uint Index, string Op, ulong Value, ulong ValueTwo)[] args) => new()
    {
        Names = [name],
        Action = action,
        ErrnoRet = errno,
        Args = [.. args.Select(a => new SeccompArg { Index = a.Index, Op = "SCMP_CMP_" + a.Op, Value = a.Value, ValueTwo = a.ValueTwo })],
    };

    /// <summary>Every action and operator, 64-bit values with high words, two conditions, a split rule: non-overlapping rules.</summary>
    internal static LinuxSeccomp EveryActionAndOperator(List<string>? arches) => new()
    {
        DefaultAction = "SCMP_ACT_ERRNO",
        DefaultErrnoRet = 38,
        Architectures = arches,
        Syscalls =
        [
            Rule("SCMP_ACT_ALLOW", "read", "exit_group", "set_tls", "arch_prctl"),
            Rule("SCMP_ACT_LOG", "write"),
            Rule("SCMP_ACT_TRAP", "getpid"),
            Rule("SCMP_ACT_KILL_PROCESS", "getppid"),
            Rule("SCMP_ACT_KILL", "gettid"),
            Rule("SCMP_ACT_KILL_THREAD", "getuid"),
            Rule("SCMP_ACT_TRACE", "getgid"),
            new SeccompSyscall { Names = ["geteuid"], Action = "SCMP_ACT_TRACE", ErrnoRet = 77 },
            new SeccompSyscall { Names = ["uname"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 },
            Rule("SCMP_ACT_ERRNO", "getegid"),
            Rule("SCMP_ACT_NOTIFY", "ioctl"),
            Rule("SCMP_ACT_ERRNO", 1, "lseek", (2, "EQ", 0x100000002, 0)),
            Rule("SCMP_ACT_ERRNO", 2, "pread64", (3, "NE", 0, 0)),
            Rule("SCMP_ACT_ERRNO", 3, "mmap", (0, "LT", 0x100000000, 0)),
            Rule("SCMP_ACT_ERRNO", 4, "mprotect", (1, "LE", 0xffffffff00000000, 0)),
            Rule("SCMP_ACT_ERRNO", 5, "munmap", (1, "GE", 0x8000000000000001, 0)),
            Rule("SCMP_ACT_ERRNO", 6, "brk", (0, "GT", 0xffffffff, 0)),
            Rule("SCMP_ACT_ERRNO", 7, "clone", (0, "MASKED_EQ", 0x7e020000, 0x10020000)),
            // on i386 these also become socketcall rules with a0 == SYS_SOCKET, where they would contradict each
            // other (libseccomp refuses that): podman allows socketcall first, which absorbs them, and so does this
            Rule("SCMP_ACT_ALLOW", "socketcall"),
            Rule("SCMP_ACT_ERRNO", 8, "socket", (0, "EQ", 16, 0), (2, "GE", 9, 0)),
            Rule("SCMP_ACT_ALLOW", null, "socket", (0, "NE", 16, 0)),
            Rule("SCMP_ACT_ERRNO", 9, "setsockopt", (1, "EQ", 1, 0), (1, "EQ", 6, 0)),
            Rule("SCMP_ACT_ERRNO", 10, "shmget", (2, "MASKED_EQ", 0xffff00000000, 0x123400000000)),
            Rule("SCMP_ACT_ERRNO", 11, "personality", (0, "GT", 0xfffffffe, 0), (1, "LT", 5, 0), (2, "NE", 0x100000000, 0)),
            Rule("SCMP_ACT_ALLOW", null, "personality", (0, "LE", 0xfffffffe, 0)),
        ],
    };

    public static TheoryData<SeccompArch, string> Architectures() => new()
    {
        { SeccompArch.X86_64, "SCMP_ARCH_X86_64,SCMP_ARCH_X86,SCMP_ARCH_X32" },
        { SeccompArch.X86_64, "" },
        { SeccompArch.X86_64, "SCMP_ARCH_X86" },
        { SeccompArch.X86_64, "SCMP_ARCH_X32,SCMP_ARCH_AARCH64,SCMP_ARCH_ARM" },
        { SeccompArch.Aarch64, "SCMP_ARCH_AARCH64,SCMP_ARCH_ARM" },
        { SeccompArch.Aarch64, "SCMP_ARCH_X32" },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void EveryActionAndOperatorMeansWhatTheProfileSays(SeccompArch native, string arches)
    {
        var p = EveryActionAndOperator(arches.Length == 0 ? null : [.. arches.Split(',')]);
        ProfileMeaning.AssertFilterMeans(p, native, Compile(p, native).Program);
    }

    [Fact]
    public void TheVerdictsAreTheSpecsActionValues()
    {
        var f = Compile(EveryActionAndOperator(null));
        Assert.Equal(0x7fff0000u, Run(f, X86_64, 0)); // read: ALLOW
        Assert.Equal(0x7ffc0000u, Run(f, X86_64, 1)); // write: LOG
        Assert.Equal(0x00030000u, Run(f, X86_64, 39)); // getpid: TRAP
        Assert.Equal(0x80000000u, Run(f, X86_64, 110)); // getppid: KILL_PROCESS
        Assert.Equal(0x00000000u, Run(f, X86_64, 186)); // gettid: KILL (= KILL_THREAD)
        Assert.Equal(0x7ff00001u, Run(f, X86_64, 104)); // getgid: TRACE, EPERM by default
        Assert.Equal(0x7ff0004du, Run(f, X86_64, 107)); // geteuid: TRACE(77)
        Assert.Equal(0x0005000du, Run(f, X86_64, 63)); // uname: ERRNO(EACCES)
        Assert.Equal(0x00050001u, Run(f, X86_64, 108)); // getegid: ERRNO, EPERM by default
        Assert.Equal(0x7fc00000u, Run(f, X86_64, 16)); // ioctl: NOTIFY
        Assert.Equal(0x00050026u, Run(f, X86_64, 39 + 1000)); // nothing there: the default, ERRNO(ENOSYS)
        Assert.Equal(0x00000000u, Run(f, I386, 3)); // i386 is not listed: KILL
        Assert.Equal(0x00000000u, Run(f, X86_64, 0x40000000)); // neither is x32
        Assert.Equal(0x00050026u, Run(f, X86_64, 0xffffffff)); // -1 (a tracer skipping a syscall) is not an x32 call
    }

    [Fact]
    public void SixtyFourBitArgumentsCompareBothWords()
    {
        var f = Compile(EveryActionAndOperator(["SCMP_ARCH_X86"]));
        // lseek a2 == 0x100000002
        Assert.Equal(0x00050001u, Run(f, X86_64, 8, 0, 0, 0x100000002));
        Assert.Equal(0x00050026u, Run(f, X86_64, 8, 0, 0, 2));
        Assert.Equal(0x00050026u, Run(f, X86_64, 8, 0, 0, 0x200000002));
        // i386 has 32-bit arguments: the low word decides
        Assert.Equal(0x00050001u, Run(f, I386, 19, 0, 0, 2));
        // munmap a1 >= 0x8000000000000001
        Assert.Equal(0x00050005u, Run(f, X86_64, 11, 0, 0x8000000000000001));
        Assert.Equal(0x00050026u, Run(f, X86_64, 11, 0, 0x8000000000000000));
        Assert.Equal(0x00050026u, Run(f, X86_64, 11, 0, 0x7fffffffffffffff));
        Assert.Equal(0x00050005u, Run(f, X86_64, 11, 0, ulong.MaxValue));
        // brk a0 > 0xffffffff
        Assert.Equal(0x00050006u, Run(f, X86_64, 12, 0x100000000));
        Assert.Equal(0x00050026u, Run(f, X86_64, 12, 0xffffffff));
        // clone (a0 & 0x7e020000) == 0x10020000
        Assert.Equal(0x00050007u, Run(f, X86_64, 56, 0xffffffff10020000));
        Assert.Equal(0x00050026u, Run(f, X86_64, 56, 0x12020000));
        // socket: EINVAL-like for (16, *, >= 9), allowed when a0 != 16
        Assert.Equal(0x00050008u, Run(f, X86_64, 41, 16, 0, 9));
        Assert.Equal(0x00050026u, Run(f, X86_64, 41, 16, 0, 8));
        Assert.Equal(0x7fff0000u, Run(f, X86_64, 41, 2, 0, 9));
        // setsockopt: two conditions on a1 are alternatives (runc splits them)
        Assert.Equal(0x00050009u, Run(f, X86_64, 54, 0, 1));
        Assert.Equal(0x00050009u, Run(f, X86_64, 54, 0, 6));
        Assert.Equal(0x00050026u, Run(f, X86_64, 54, 0, 2));
    }

    [Fact]
    public void I386SocketCallsAreFilteredThroughSocketcallToo()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = 38,
            Architectures = ["SCMP_ARCH_X86"],
            Syscalls =
            [
                Rule("SCMP_ACT_ERRNO", 8, "socket", (0, "EQ", 16, 0), (2, "GE", 9, 0)),
                Rule("SCMP_ACT_ALLOW", null, "socket", (0, "EQ", 2, 0), (2, "LT", 9, 0)),
                Rule("SCMP_ACT_ERRNO", 10, "shmget", (2, "MASKED_EQ", 0xffff00000000, 0x123400000000)),
            ],
        };
        var f = Compile(p);
        ProfileMeaning.AssertFilterMeans(p, SeccompArch.X86_64, f.Program);
        // socket(16, x, 9) directly (359) and through socketcall(SYS_SOCKET=1, ...)
        Assert.Equal(0x00050008u, Run(f, I386, 359, 16, 0, 9));
        Assert.Equal(0x7fff0000u, Run(f, I386, 359, 2, 0, 8));
        Assert.Equal(0x00050026u, Run(f, I386, 359, 2, 0, 9));
        // socketcall's own argument 0 is the call: the rules' a0 tests give way to it (as libseccomp rewrites
        // them), so socketcall(SYS_SOCKET, x, >= 9) gets the first rule's verdict and (SYS_SOCKET, x, < 9) the second's
        Assert.Equal(0x00050008u, Run(f, I386, 102, 1, 0, 9));
        Assert.Equal(0x7fff0000u, Run(f, I386, 102, 1, 0, 8));
        Assert.Equal(0x00050026u, Run(f, I386, 102, 2, 0, 9)); // SYS_BIND: no rule
        // shmget through ipc(SHMGET=23); i386 has shmget (395) too; x86_64 compares the high word
        Assert.Equal(0x0005000au, Run(f, I386, 117, 23, 0, 0x1234));
        Assert.Equal(0x0005000au, Run(f, I386, 395, 0, 0, 0x1234));
        Assert.Equal(0x0005000au, Run(f, X86_64, 29, 0, 0, 0x123400000000));
        Assert.Equal(0x00050026u, Run(f, X86_64, 29, 0, 0, 0x1234));
    }

    [Fact]
    public void X32CallsAreTheirOwnArchitecture()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"],
            Syscalls = [Rule("SCMP_ACT_ALLOW", "read"), Rule("SCMP_ACT_LOG", "rt_sigaction")],
        };
        var f = Compile(p);
        Assert.Equal(0x7fff0000u, Run(f, X86_64, 0)); // x86_64 read
        Assert.Equal(0x7fff0000u, Run(f, X86_64, 0x40000000)); // x32 read
        Assert.Equal(0x7ffc0000u, Run(f, X86_64, 13)); // x86_64 rt_sigaction
        Assert.Equal(0x7ffc0000u, Run(f, X86_64, 0x40000200)); // x32 rt_sigaction (512)
        Assert.Equal(0x00050001u, Run(f, X86_64, 0x4000000d)); // x32 has no 13 (it is 512): not x86_64's rt_sigaction
        // nor is 512 an x86_64 call; it is above the highest x86_64 syscall the profile names, which runc fails
        // with ENOSYS rather than the default (so that C libraries fall back to older calls)
        Assert.Equal(0x00050026u, Run(f, X86_64, 512));
        Assert.Equal(0x00050026u, Run(f, X86_64, 0x40000201));
        ProfileMeaning.AssertFilterMeans(p, SeccompArch.X86_64, f.Program);
    }

    [Fact]
    public void SyscallsNewerThanTheProfileGetEnosysAsUnderRunc()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
            Syscalls = [Rule("SCMP_ACT_ALLOW", "read", "write", "clone"), Rule("SCMP_ACT_ALLOW", null, "socket", (0, "EQ", 1, 0))],
        };
        var f = Compile(p);
        Assert.Equal(0x00050001u, Run(f, X86_64, 2)); // open: below clone (56), the default EPERM
        Assert.Equal(0x00050026u, Run(f, X86_64, 435)); // clone3: above it, ENOSYS
        // -1 has bit 30 set: an x32 number to the stub, and x32 is not listed, so the filter decides (the default)
        Assert.Equal(0x00050001u, Run(f, X86_64, 0xffffffff));
        Assert.Equal(0x00050001u, Run(f, I386, 100)); // i386 clone is 120: socket's 359 does not count (libseccomp has no number for it)
        Assert.Equal(0x00050026u, Run(f, I386, 121));
        ProfileMeaning.AssertFilterMeans(p, SeccompArch.X86_64, f.Program);
        // not when the default already fails with ENOSYS, nor when it lets calls through, nor without architectures
        Assert.Equal(0x00050026u, Run(Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 38, Architectures = p.Architectures, Syscalls = p.Syscalls }), X86_64, 435));
        Assert.Equal(0x7ffc0000u, Run(Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_LOG", Architectures = p.Architectures, Syscalls = [Rule("SCMP_ACT_ERRNO", "read")] }), X86_64, 435));
        Assert.Equal(0x00050001u, Run(Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", Syscalls = p.Syscalls }), X86_64, 435));
    }

    [Fact]
    public void UnknownSyscallsAndRulesLikeTheDefaultChangeNothing()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = 1,
            Syscalls =
            [
                Rule("SCMP_ACT_ALLOW", "no_such_syscall", "read"),
                new SeccompSyscall { Names = ["write"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 },
                new SeccompSyscall { Names = ["write"], Action = "SCMP_ACT_ALLOW" },
            ],
        };
        var f = Compile(p);
        Assert.Equal(0x7fff0000u, Run(f, X86_64, 0));
        // the ERRNO(1) rule is the default and is dropped, so the later ALLOW is the first unconditional rule
        Assert.Equal(0x7fff0000u, Run(f, X86_64, 1));
    }

    [Fact]
    public void TheFirstUnconditionalRuleWinsAndReplacesConditionalOnes()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls =
            [
                Rule("SCMP_ACT_ERRNO", 5, "read", (0, "EQ", 1, 0)),
                Rule("SCMP_ACT_ERRNO", 6, "read"),
                Rule("SCMP_ACT_KILL", "read"),
                Rule("SCMP_ACT_ERRNO", 7, "read", (0, "EQ", 2, 0)),
            ],
        };
        var f = Compile(p);
        Assert.Equal(0x00050006u, Run(f, X86_64, 0, 1));
        Assert.Equal(0x00050006u, Run(f, X86_64, 0, 2));
        Assert.Equal(0x00050006u, Run(f, X86_64, 0, 3));
    }

    [Fact]
    public void OverlappingConditionsAreDecidedInLibseccompsOrder()
    {
        // both rules match a3 = 0x100000000: libseccomp orders a level's comparisons by argument, then operator
        // (EQ before LE/LT before GE/GT), so the EQ rule is tried first whatever the order in the profile
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls =
            [
                Rule("SCMP_ACT_TRAP", null, "socket", (3, "GE", 0xff, 0)),
                Rule("SCMP_ACT_KILL", null, "socket", (3, "EQ", 0x100000000, 0)),
            ],
        };
        var f = Compile(p);
        Assert.Equal(0x00000000u, Run(f, X86_64, 41, 0, 0, 0, 0x100000000));
        Assert.Equal(0x00030000u, Run(f, X86_64, 41, 0, 0, 0, 0x100));
        Assert.Equal(0x7fff0000u, Run(f, X86_64, 41, 0, 0, 0, 0xfe));
    }

    [Fact]
    public void RulesThatEndOnTheSameComparisonWithDifferentActionsAreRefused()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = [Rule("SCMP_ACT_ERRNO", 1, "read", (0, "EQ", 1, 0)), Rule("SCMP_ACT_KILL", null, "read", (0, "EQ", 1, 0))],
        };
        var e = Assert.Throws<RuntimeException>(() => Compile(p));
        Assert.Contains("syscall read", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void RulesLibseccompCannotMergeAreRefusedRatherThanLoopingForever()
    {
        // libseccomp 2.5.4 loops forever on these two (the a0 != 2 test leads to one node from both of its words,
        // which merging links into a level twice): runc never starts such a container
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Syscalls =
            [
                Rule("SCMP_ACT_KILL_PROCESS", null, "semctl", (1, "LT", ulong.MaxValue, 0), (0, "NE", 2, 0)),
                Rule("SCMP_ACT_KILL", null, "semctl", (0, "NE", 2, 0), (3, "GT", 9, 0)),
            ],
        };
        var e = Assert.Throws<RuntimeException>(() => Compile(p));
        Assert.Contains("rules for syscall semctl cannot be merged", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void LongJumpsAreTrampolined()
    {
        // hundreds of syscalls with argument rules: the search tree's jumps reach far beyond 255 instructions
        var p = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", Syscalls = [] };
        foreach (var (name, _) in SyscallTable.Entries(SeccompArch.X86_64).Take(250))
            p.Syscalls.Add(Rule("SCMP_ACT_ALLOW", null, name, (0, "EQ", 1, 0), (1, "NE", 0x100000000, 0)));
        var f = Compile(p);
        Assert.InRange(f.InstructionCount, 1000, 4096);
        ProfileMeaning.AssertFilterMeans(p, SeccompArch.X86_64, f.Program);
    }

    [Fact]
    public void MoreThanTheKernelsInstructionLimitIsAnError()
    {
        var p = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", Architectures = ["SCMP_ARCH_X86", "SCMP_ARCH_X32"], Syscalls = [] };
        foreach (var (name, _) in SyscallTable.Entries(SeccompArch.X86_64))
            p.Syscalls.Add(Rule("SCMP_ACT_ALLOW", null, name, (0, "GT", 1, 0), (1, "LT", 0x100000000, 0), (2, "NE", 5, 0)));
        var e = Assert.Throws<RuntimeException>(() => Compile(p));
        Assert.Contains("4096", e.Message);
    }

    [Theory]
    [InlineData("SCMP_ACT_NOPE", "SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0u, null, null, "defaultAction \"SCMP_ACT_NOPE\"")]
    [InlineData("SCMP_ACT_ALLOW", "SCMP_ACT_NOPE", "SCMP_CMP_EQ", 0u, null, null, "action \"SCMP_ACT_NOPE\" for syscall read")]
    [InlineData("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_CMP_ABOUT", 0u, null, null, "operator \"SCMP_CMP_ABOUT\"")]
    [InlineData("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 6u, null, null, "argument index 6 of syscall read")]
    [InlineData("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0u, "SCMP_ARCH_PPC64LE", null, "architecture SCMP_ARCH_PPC64LE is not supported")]
    [InlineData("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0u, "x86_64", null, "unknown architecture \"x86_64\"")]
    [InlineData("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0u, null, "SECCOMP_FILTER_FLAG_NOPE", "unknown flag \"SECCOMP_FILTER_FLAG_NOPE\"")]
    [InlineData("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0u, null, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "needs an SCMP_ACT_NOTIFY rule")]
    public void BadProfilesGetOneLineErrorsNamingWhatIsWrong(string def, string action, string op, uint index, string? arch, string? flag, string expected)
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = def,
            Architectures = arch is null ? null : [arch],
            Flags = flag is null ? null : [flag],
            Syscalls = [new SeccompSyscall { Names = ["read"], Action = action, Args = [new SeccompArg { Index = index, Op = op, Value = 1 }] }],
        };
        var e = Assert.Throws<RuntimeException>(() => Compile(p));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("linux.seccomp: ", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void ErrnoValuesBeyondSixteenBitsAreRefused()
    {
        var p = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 70000 };
        Assert.Contains("defaultErrnoRet 70000", Assert.Throws<RuntimeException>(() => Compile(p)).Message);
        p = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new SeccompSyscall { Names = ["read"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 65536 }] };
        Assert.Contains("errnoRet of syscall read 65536", Assert.Throws<RuntimeException>(() => Compile(p)).Message);
    }

    [Fact]
    public void FlagsAreTheKernelsBits()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
            Syscalls = [Rule("SCMP_ACT_ERRNO", "acct")],
        };
        var f = Compile(p);
        Assert.Equal(SeccompFlags.Tsync | SeccompFlags.Log | SeccompFlags.SpecAllow, f.Flags);
        Assert.False(f.UsesListener);
    }

    [Fact]
    public void NotifyAsksForAListener()
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
            Syscalls = [Rule("SCMP_ACT_NOTIFY", "mkdir", "mkdirat")],
        };
        var f = Compile(p);
        Assert.True(f.UsesListener);
        // TSYNC with a listener needs TSYNC_ESRCH (the kernel refuses the pair otherwise)
        Assert.Equal(SeccompFlags.Tsync | SeccompFlags.NewListener | SeccompFlags.TsyncEsrch | SeccompFlags.WaitKillableRecv, f.Flags);
        Assert.Equal(0x7fc00000u, Run(f, X86_64, 83));

        var byDefault = Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_NOTIFY", Syscalls = [Rule("SCMP_ACT_ALLOW", "read", "write")] });
        Assert.True(byDefault.UsesListener);
        Assert.Equal(SeccompFlags.NewListener, byDefault.Flags);

        // a notify rule for a syscall no table knows adds nothing: no listener (as with libseccomp)
        var none = Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [Rule("SCMP_ACT_NOTIFY", "no_such_call")] });
        Assert.False(none.UsesListener);
        Assert.Equal(0u, none.Flags);
    }

    [Fact]
    public void AnEmptyProfileFiltersTheNativeArchitectureOnly()
    {
        var f = Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW" }, SeccompArch.Aarch64);
        Assert.Equal(0x7fff0000u, Run(f, Aarch64, 63));
        Assert.Equal(0x00000000u, Run(f, Arm, 3));
        Assert.Equal(0x00000000u, Run(f, X86_64, 0));
    }

    [Fact]
    public void FeaturesListWhatTheCompilerTakes()
    {
        var features = SeccompCompiler.Features();
        Assert.True(features.Enabled);
        Assert.Equal(9, features.Actions!.Count);
        Assert.Contains("SCMP_ACT_NOTIFY", features.Actions);
        Assert.Equal(7, features.Operators!.Count);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], features.Archs);
        Assert.Contains("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", features.KnownFlags!);
        // every name listed is accepted
        foreach (var action in features.Actions)
            Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Architectures = features.Archs, Flags = [.. features.KnownFlags!.Where(k => !k.Contains("KILLABLE"))], Syscalls = [Rule(action, "acct")] });
    }
}
