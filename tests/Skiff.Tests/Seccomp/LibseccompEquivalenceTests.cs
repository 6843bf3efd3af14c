using System.Runtime.InteropServices;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Seccomp;

namespace Skiff.Tests.Seccomp;

/// <summary>
/// The compiled filter decides every syscall as the filter runc builds with libseccomp for the same linux.seccomp:
/// podman's default profile for several capability sets, on both native architectures.
/// </summary>
public class LibseccompEquivalenceTests
{
    public static TheoryData<string, SeccompArch> PodmanProfiles()
    {
        var data = new TheoryData<string, SeccompArch>();
        foreach (var name in new[] { "default", "cap-add-sys-admin", "cap-add-all", "cap-drop-all", "cap-add-audit-write", "cap-mix", "custom-docker-format", "custom-spec-format" })
            foreach (var arch in new[] { SeccompArch.X86_64, SeccompArch.Aarch64 })
                data.Add(name, arch);
        return data;
    }

    [LibseccompTheory]
    [MemberData(nameof(PodmanProfiles))]
    public void PodmanProfilesDecideAsUnderRunc(string fixture, SeccompArch native)
    {
        var profile = Fixtures.Podman(fixture).Seccomp!;
        if (native == SeccompArch.Aarch64) profile = ForAarch64(profile);
        AssertSameAsLibseccomp(profile, native);
    }

    /// <summary>
    /// Every action and operator: compared with libseccomp's rule database (its BPF generator loses the
    /// syscall-number load when an unconditional rule names a syscall the native architecture lacks, as set_tls
    /// here; see <see cref="PfcEvaluator"/>).
    /// </summary>
    [LibseccompTheory]
    [InlineData(SeccompArch.X86_64)]
    [InlineData(SeccompArch.Aarch64)]
    public void EveryActionAndOperatorDecidesAsLibseccompsRules(SeccompArch native)
    {
        var profile = SeccompCompilerTests.EveryActionAndOperator(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
        var (pfc, error) = Libseccomp.BuildPfc(profile, native);
        Assert.True(pfc is not null, $"libseccomp refused the profile: {error}");
        var filter = SeccompCompiler.Compile(profile, native == SeccompArch.X86_64 ? Architecture.X64 : Architecture.Arm64);
        var diff = FilterComparison.FirstDifference(profile, native, filter.Program, PfcEvaluator.Parse(pfc!));
        Assert.True(diff is null, diff);
    }

    /// <summary>The same rules with aarch64's architectures, as podman writes them on arm64.</summary>
    internal static LinuxSeccomp ForAarch64(LinuxSeccomp p) => new()
    {
        DefaultAction = p.DefaultAction,
        DefaultErrnoRet = p.DefaultErrnoRet,
        Architectures = p.Architectures is null ? null : ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
        Syscalls = p.Syscalls,
    };

    internal static void AssertSameAsLibseccomp(LinuxSeccomp profile, SeccompArch native, int seed = 1)
    {
        var (reference, error) = Libseccomp.Build(profile, native);
        Assert.True(reference is not null, $"libseccomp refused the profile: {error}");
        var filter = SeccompCompiler.Compile(profile, native == SeccompArch.X86_64 ? Architecture.X64 : Architecture.Arm64);
        BpfInterpreter.Verify(filter.Program);
        var diff = FilterComparison.FirstDifference(profile, native, filter.Program, reference!, seed);
        Assert.True(diff is null, diff);
    }
}
