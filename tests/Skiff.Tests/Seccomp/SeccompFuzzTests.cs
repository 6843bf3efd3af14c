using System.Runtime.InteropServices;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Seccomp;

namespace Skiff.Tests.Seccomp;

/// <summary>
/// Random profiles whose rules collide (few syscalls, several rules each, overlapping conditions, conflicting
/// actions): the filter decides as libseccomp's rule database does (compared with its pseudo filter code, see
/// <see cref="PfcEvaluator"/>), and refuses exactly the profiles libseccomp (hence runc) refuses.
/// </summary>
public class SeccompFuzzTests
{
    private static readonly string[] Names = ["read", "socket", "personality", "close", "shmget", "ioctl", "mmap", "send", "set_tls", "arch_prctl", "semctl"];
    private static readonly string[] Actions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_KILL_PROCESS"];
    private static readonly string[] Ops = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"];
    private static readonly ulong[] Values = [0, 1, 2, 5, 9, 16, 0xff, 0xffffffff, 0x100000000, 0x100000001, 0x100000005, 0xffffffff00000000, ulong.MaxValue];
    private static readonly string[] Arches = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"];

    internal static LinuxSeccomp RandomProfile(Random rng, int maxRules, int maxArgs)
    {
        var p = new LinuxSeccomp
        {
            DefaultAction = rng.Next(3) switch { 0 => "SCMP_ACT_ERRNO", 1 => "SCMP_ACT_ALLOW", _ => Actions[rng.Next(Actions.Length)] },
            DefaultErrnoRet = rng.Next(2) == 0 ? null : (uint)rng.Next(1, 40),
            Architectures = rng.Next(4) == 0 ? null : Arches.Where(_ => rng.Next(2) == 0).ToList(),
            Syscalls = [],
        };
        int rules = rng.Next(1, maxRules + 1);
        for (int i = 0; i < rules; i++)
        {
            var rule = new SeccompSyscall
            {
                Names = Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Names[rng.Next(Names.Length)]).Distinct().ToList(),
                Action = Actions[rng.Next(Actions.Length)],
                ErrnoRet = rng.Next(3) == 0 ? (uint)rng.Next(1, 40) : null,
                Args = [],
            };
            int args = rng.Next(maxArgs + 1);
            for (int a = 0; a < args; a++)
                rule.Args.Add(new SeccompArg
                {
                    Index = (uint)rng.Next(4),
                    Op = Ops[rng.Next(Ops.Length)],
                    Value = Values[rng.Next(Values.Length)],
                    ValueTwo = Values[rng.Next(Values.Length)],
                });
            p.Syscalls.Add(rule);
        }
        return p;
    }

    /// <summary>Our error for rules libseccomp cannot merge (it loops forever on them, so it is not asked).</summary>
    internal const string Tangled = "cannot be merged";

    internal static string? Check(LinuxSeccomp profile, SeccompArch native, int seed)
    {
        SeccompFilter? filter = null;
        string? ours = null;
        try { filter = SeccompCompiler.Compile(profile, native == SeccompArch.X86_64 ? Architecture.X64 : Architecture.Arm64); }
        catch (RuntimeException e) { ours = e.Message; }
        if (ours?.Contains(Tangled) == true) return Tangled;
        var (reference, error) = Libseccomp.BuildPfc(profile, native);
        if (reference is null && filter is null) return null;
        if (reference is null) return $"libseccomp refuses it ({error}), we accept it";
        if (filter is null) return $"we refuse it ({ours}), libseccomp accepts it";
        BpfInterpreter.Verify(filter.Program);
        return FilterComparison.FirstDifference(profile, native, filter.Program, PfcEvaluator.Parse(reference), seed);
    }

    [LibseccompTheory]
    [InlineData(SeccompArch.X86_64, 1, 3)]
    [InlineData(SeccompArch.X86_64, 2, 6)]
    [InlineData(SeccompArch.Aarch64, 3, 4)]
    public void RandomProfilesDecideAsUnderRunc(SeccompArch native, int seed, int maxRules)
    {
        var rng = new Random(seed);
        // longer runs (for a stress target): SKIFF_SECCOMP_FUZZ_RUNS=2000
        int runs = int.TryParse(Environment.GetEnvironmentVariable("SKIFF_SECCOMP_FUZZ_RUNS"), out int n) ? n : 100;
        int tangled = 0;
        for (int i = 0; i < runs; i++)
        {
            var profile = RandomProfile(rng, maxRules, 3);
            var diff = Check(profile, native, i);
            if (diff == Tangled) { tangled++; continue; }
            Assert.True(diff is null, $"profile {i} of seed {seed}: {diff}\n{Describe(profile)}");
        }
        Assert.True(tangled < runs / 10, $"{tangled} of {runs} profiles refused as tangled");
    }

    internal static string Describe(LinuxSeccomp p) =>
        $"default {p.DefaultAction}({p.DefaultErrnoRet}) arches [{string.Join(",", p.Architectures ?? [])}]\n" +
        string.Join("\n", (p.Syscalls ?? []).Select(r =>
            $"  {string.Join(",", r.Names)} {r.Action}({r.ErrnoRet}) {string.Join(" && ", (r.Args ?? []).Select(a => $"a{a.Index} {a.Op[9..]} 0x{a.Value:x}/0x{a.ValueTwo:x}"))}"));
}
