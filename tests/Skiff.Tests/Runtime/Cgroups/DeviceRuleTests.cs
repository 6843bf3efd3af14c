using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Cgroups.Devices;
using Skiff.TestSupport;
using static Skiff.Runtime.Cgroups.Devices.DeviceFilterProgram;

namespace Skiff.Tests.Runtime.Cgroups;

/// <summary>
/// Device rules: what a config turns into (defaults, linux.devices), the v1 emulation and transitions, and the
/// eBPF program, run by a small interpreter and compared with the v1 decision for every device and access.
/// </summary>
public class DeviceRuleTests
{
    private static Spec Config(params DeviceCgroupRule[] rules) => new()
    {
        Linux = new Linux { Resources = new LinuxResources { Devices = [.. rules] } },
    };

    private static readonly DeviceCgroupRule DenyAll = new() { Allow = false, Access = "rwm" };

    [Fact]
    public void TheConfigsRulesComeFirstThenTheDefaultsThenLinuxDevices()
    {
        var spec = Config(DenyAll, new DeviceCgroupRule { Allow = true, Type = "c", Major = 10, Minor = 229, Access = "rw" });
        spec.Linux!.Devices = [new Device { Type = "b", Path = "/dev/sda", Major = 8, Minor = 0 }, new Device { Type = "p", Path = "/dev/fifo" }, new Device { Type = "u", Path = "/dev/x", Major = 4, Minor = 5 }];
        var rules = DeviceRules.For(spec);
        Assert.Equal("deny a *:* rwm", rules[0].ToString());
        Assert.Equal("allow c 10:229 rw", rules[1].ToString());
        Assert.Equal(DeviceRules.Defaults, rules.Skip(2).Take(DeviceRules.Defaults.Count));
        Assert.Equal(["allow b 8:0 rwm", "allow c 4:5 rwm"], rules.Skip(2 + DeviceRules.Defaults.Count).Select(r => r.ToString()));
    }

    [Fact]
    public void BadRulesAreClearErrors()
    {
        Assert.Contains("invalid device type", Assert.Throws<RuntimeException>(() => DeviceRules.For(Config(new DeviceCgroupRule { Type = "x", Access = "r" }))).Message, StringComparison.Ordinal);
        Assert.Contains("unknown device access", Assert.Throws<RuntimeException>(() => DeviceRules.For(Config(new DeviceCgroupRule { Type = "c", Access = "rx" }))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultsAllowTheStandardNodesAndMknodButNotKvmLoopControlOrFuse()
    {
        var emu = DeviceEmulator.FromRules(DeviceRules.For(Config(DenyAll)));
        Assert.False(emu.DefaultAllow);
        foreach (var (major, minor) in new[] { (1L, 3L), (1L, 5L), (1L, 7L), (1L, 8L), (1L, 9L), (5L, 0L), (5L, 2L), (10L, 200L), (136L, 7L) })
            Assert.True(emu.Allows('c', major, minor, DeviceAccess.Read | DeviceAccess.Write), $"c {major}:{minor}");
        foreach (var (major, minor) in new[] { (10L, 232L), (10L, 237L), (10L, 229L) })
        {
            Assert.True(emu.Allows('c', major, minor, DeviceAccess.Mknod));
            Assert.False(emu.Allows('c', major, minor, DeviceAccess.Read));
            Assert.False(emu.Allows('c', major, minor, DeviceAccess.Write));
        }
        Assert.False(emu.Allows('b', 8, 0, DeviceAccess.Read));
    }

    [Fact]
    public void TransitionFromANewCgroupDeniesAllThenAllows()
    {
        var target = DeviceEmulator.FromRules(DeviceRules.For(Config(DenyAll)));
        var current = DeviceEmulator.FromList("a *:* rwm\n");
        var rules = current.Transition(target);
        Assert.Equal("deny a *:* rwm", rules[0].ToString());
        Assert.All(rules.Skip(1), r => Assert.True(r.Allow));
        Assert.Equal(DeviceRules.Defaults.Count, rules.Count - 1);
    }

    [Fact]
    public void TransitionBetweenAllowListsIsMinimal()
    {
        var current = DeviceEmulator.FromList("c 1:3 rwm\nc 1:5 rwm\nc 10:229 rw\n");
        var target = DeviceEmulator.FromRules([new('a', -1, -1, DeviceAccess.All, false), new('c', 1, 3, DeviceAccess.All, true), new('c', 10, 229, DeviceAccess.Read, true), new('c', 4, 1, DeviceAccess.Read, true)]);
        Assert.Equal(["deny c 1:5 rwm", "deny c 10:229 w", "allow c 4:1 r"], current.Transition(target).Select(r => r.ToString()));
    }

    [Fact]
    public void PunchingAHoleInAWildcardIsRefused()
    {
        var e = Assert.Throws<RuntimeException>(() => DeviceEmulator.FromRules(
            [new('a', -1, -1, DeviceAccess.All, false), new('c', 136, -1, DeviceAccess.All, true), new('c', 136, 3, DeviceAccess.Read, false)]));
        Assert.Contains("punch a hole", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowAllAndDenyListsFollowTheKernel()
    {
        var emu = DeviceEmulator.FromRules([new('a', -1, -1, DeviceAccess.All, true), new('c', 10, 232, DeviceAccess.Write, false)]);
        Assert.True(emu.DefaultAllow);
        Assert.True(emu.Allows('c', 10, 232, DeviceAccess.Read));
        Assert.False(emu.Allows('c', 10, 232, DeviceAccess.Read | DeviceAccess.Write)); // a deny matching any of the access denies
        Assert.Equal("a *:* rwm", new DeviceRule('a', -1, -1, DeviceAccess.All, true).CgroupString);
    }

    // ---- eBPF ----

    /// <summary>Runs a device program (the instructions it may contain) on one request.</summary>
    private static int Run(byte[] program, int type, int access, uint major, uint minor)
    {
        var regs = new ulong[11];
        uint[] ctx = [(uint)(type | (access << 16)), major, minor];
        int pc = 0, steps = 0;
        while (true)
        {
            Assert.True(++steps < 10000, "the program does not end");
            Assert.InRange(pc, 0, program.Length / 8 - 1);
            var i = Insn.Decode(program.AsSpan(pc * 8));
            pc++;
            switch (i.Code)
            {
                case LdxMemW:
                    Assert.Equal(1, i.Src);
                    Assert.True(i.Off is 0 or 4 or 8);
                    regs[i.Dst] = ctx[i.Off / 4];
                    break;
                case Alu32AndK: regs[i.Dst] = (uint)regs[i.Dst] & (uint)i.Imm; break;
                case Alu32RshK: regs[i.Dst] = (uint)regs[i.Dst] >> i.Imm; break;
                case Alu32MovK: regs[i.Dst] = (uint)i.Imm; break;
                case Alu32MovX: regs[i.Dst] = (uint)regs[i.Src]; break;
                case JmpJneK: if (regs[i.Dst] != (ulong)(long)i.Imm) pc += i.Off; break;
                case JmpJeqK: if (regs[i.Dst] == (ulong)(long)i.Imm) pc += i.Off; break;
                case JmpJneX: if (regs[i.Dst] != regs[i.Src]) pc += i.Off; break;
                case JmpExit: return (int)regs[0];
                default: throw new InvalidOperationException($"unexpected opcode 0x{i.Code:x2}");
            }
        }
    }

    private static readonly DeviceAccess[] Accesses =
        [.. Enumerable.Range(1, 7).Select(a => (DeviceAccess)a)];

    private static int BpfAccess(DeviceAccess a) =>
        ((a & DeviceAccess.Mknod) != 0 ? AccMknod : 0) | ((a & DeviceAccess.Read) != 0 ? AccRead : 0) | ((a & DeviceAccess.Write) != 0 ? AccWrite : 0);

    public static TheoryData<string> RuleSets => new()
    {
        "podman-default",
        "allow-all",
        "allow-all-deny-some",
        "privileged-like",
        "partial-access",
    };

    private static List<DeviceRule> RuleSet(string name) => name switch
    {
        "podman-default" => DeviceRules.For(Config(DenyAll)),
        "allow-all" => [new('a', -1, -1, DeviceAccess.All, true)],
        "allow-all-deny-some" => [new('a', -1, -1, DeviceAccess.All, true), new('c', 10, 232, DeviceAccess.All, false), new('b', -1, -1, DeviceAccess.Write, false), new('c', 1, -1, DeviceAccess.Mknod, false)],
        "privileged-like" => [.. DeviceRules.For(Config(new DeviceCgroupRule { Allow = true, Access = "rwm" }))],
        "partial-access" => [new('a', -1, -1, DeviceAccess.All, false), new('c', 10, 229, DeviceAccess.Read, true), new('c', -1, 7, DeviceAccess.Read | DeviceAccess.Mknod, true), new('b', 8, -1, DeviceAccess.Write, true)],
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(RuleSets))]
    public void TheProgramDecidesAsTheV1ControllerForEveryDeviceAndAccess(string ruleSet)
    {
        var rules = RuleSet(ruleSet);
        var emu = DeviceEmulator.FromRules(rules);
        byte[] program = Build(rules);
        foreach (char type in new[] { 'c', 'b' })
        foreach (long major in new long[] { 0, 1, 5, 8, 10, 136, 4095 })
        foreach (long minor in new long[] { 0, 2, 3, 5, 7, 9, 200, 229, 232, 237, 1048575 })
        foreach (var access in Accesses)
        {
            bool expected = emu.Allows(type, major, minor, access);
            int got = Run(program, type == 'b' ? DevBlock : DevChar, BpfAccess(access), (uint)major, (uint)minor);
            Assert.True(got == (expected ? 1 : 0), $"{ruleSet}: {type} {major}:{minor} {DeviceRule.AccessString(access)}: program says {got}, v1 says {expected}");
        }
    }

    [Fact]
    public void TheDeviceAttackNodesAreRefusedByTheProgram()
    {
        byte[] program = Build(DeviceRules.For(Config(DenyAll)));
        foreach (uint minor in new uint[] { 232, 237, 229 })
        {
            Assert.Equal(1, Run(program, DevChar, AccMknod, 10, minor));
            Assert.Equal(0, Run(program, DevChar, AccRead, 10, minor));
            Assert.Equal(0, Run(program, DevChar, AccRead | AccWrite, 10, minor));
        }
        Assert.Equal(1, Run(program, DevChar, AccRead | AccWrite, 1, 3));
        Assert.Equal(0, Run(program, DevBlock, AccRead, 8, 0));
    }

    /// <summary>The kernel's verifier accepts every program shape the generator makes (loaded, not attached).</summary>
    [RootFact]
    public void TheKernelLoadsThePrograms()
    {
        foreach (string name in new[] { "podman-default", "allow-all", "allow-all-deny-some", "privileged-like", "partial-access" })
        {
            using var fd = Libc.BpfLoadCgroupDeviceProgram(Build(RuleSet(name)), License);
            Assert.True(fd.Fd > 0, name);
        }
    }
}
