using System.Runtime.InteropServices;
using System.Text.Json;
using Skiff.Engine;
using Skiff.Engine.Security;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Seccomp;
using Skiff.Tests.Seccomp;

namespace Skiff.Tests.Engine;

/// <summary>
/// The engine's linux.seccomp against what podman 4.3.1 wrote into config.json for the same flags
/// (tests/fixtures/seccomp/podman, made by tests/fixtures/seccomp/make-podman-fixtures.sh).
/// </summary>
public class SeccompPolicyTests
{
    public static TheoryData<string> PodmanFixtures() =>
    [
        "default", "cap-add-sys-admin", "cap-add-all", "cap-drop-all", "cap-add-audit-write", "cap-mix", "privileged",
        "unconfined", "privileged-custom", "custom-docker-format", "custom-docker-format-sys-admin", "custom-spec-format",
        "custom-default-errno-string", "custom-flags",
    ];

    [Theory]
    [MemberData(nameof(PodmanFixtures))]
    public void TheProfileIsWhatPodmanWrites(string fixture)
    {
        var (args, bounding, expected) = Fixtures.Podman(fixture);
        var (opt, privileged) = Flags(args);
        var actual = SeccompPolicy.For(opt, bounding, privileged, Architecture.X64);
        Assert.Equal(Json(expected), Json(actual));
    }

    /// <summary>--security-opt seccomp=VALUE and --privileged out of podman's flags (profile paths are relative to the fixtures).</summary>
    private static (string? Opt, bool Privileged) Flags(string args)
    {
        var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? opt = null;
        for (int i = 0; i < words.Length - 1; i++)
            if (words[i] == "--security-opt" && words[i + 1].StartsWith("seccomp=", StringComparison.Ordinal))
                opt = words[i + 1]["seccomp=".Length..];
        if (opt is not null && opt != "unconfined") opt = Path.Combine(Fixtures.Dir, opt);
        return (opt, words.Contains("--privileged"));
    }

    private static string Json(LinuxSeccomp? s) =>
        JsonSerializer.Serialize(new Spec { Linux = new Linux { Seccomp = s } }, RuntimeJsonContext.Default.Spec);

    [Fact]
    public void OnArm64TheArchMapGivesAarch64AndArm()
    {
        var s = SeccompPolicy.For(null, ["CAP_CHOWN"], false, Architecture.Arm64)!;
        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], s.Architectures);
        // the arm-only rule of podman's profile is in, the amd64 one is out
        Assert.Contains(s.Syscalls!, r => r.Names.Contains("arm_fadvise64_64"));
        Assert.DoesNotContain(s.Syscalls!, r => r.Names.Contains("arch_prctl"));
        var amd64 = SeccompPolicy.For(null, ["CAP_CHOWN"], false, Architecture.X64)!;
        Assert.Contains(amd64.Syscalls!, r => r.Names.Contains("arch_prctl"));
        Assert.DoesNotContain(amd64.Syscalls!, r => r.Names.Contains("arm_fadvise64_64"));
    }

    [Fact]
    public void CapabilitiesMayBeGivenWithoutThePrefix()
    {
        var a = SeccompPolicy.For(null, ["SYS_ADMIN", "audit_write"], false, Architecture.X64);
        var b = SeccompPolicy.For(null, ["CAP_SYS_ADMIN", "CAP_AUDIT_WRITE"], false, Architecture.X64);
        Assert.Equal(Json(b), Json(a));
    }

    [Fact]
    public void PrivilegedWithTheDefaultProfileNamedHasNoFilter()
    {
        Assert.Null(SeccompPolicy.For(SeccompPolicy.DefaultProfilePath, ["CAP_SYS_ADMIN"], true));
        Assert.Null(SeccompPolicy.For(SeccompPolicy.OverrideProfilePath, ["CAP_SYS_ADMIN"], true));
        Assert.Null(SeccompPolicy.For("unconfined", [], false));
    }

    [Fact]
    public void TheEmbeddedDefaultIsPodmansFile()
    {
        const string installed = "/usr/share/containers/seccomp.json";
        if (File.Exists(installed)) Assert.Equal(File.ReadAllBytes(installed), SeccompPolicy.DefaultProfile());
        using var doc = JsonDocument.Parse(SeccompPolicy.DefaultProfile());
        Assert.Equal("SCMP_ACT_ERRNO", doc.RootElement.GetProperty("defaultAction").GetString());
    }

    private static string WriteProfile(string json)
    {
        string file = Path.Combine(Path.GetTempPath(), $"skiff-seccomp-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        return file;
    }

    [Theory]
    [InlineData("not json", "not a valid profile")]
    [InlineData("null", "empty")]
    [InlineData("[]", "not a valid profile")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"name\":\"read\",\"names\":[\"write\"],\"action\":\"SCMP_ACT_ERRNO\"}]}", "both name (read) and names")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86\"],\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}", "both architectures and archMap")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_ERRNO\",\"errno\":\"EWOULDBLOCK\"}]}", "unknown errno EWOULDBLOCK")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrno\":\"ENOPE\"}", "unknown errno ENOPE")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_SOMETIMES\"}", "defaultAction has an unknown action \"SCMP_ACT_SOMETIMES\"")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_NOPE\"}]}", "the rule for acct has an unknown action")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"acct\"]}]}", "the rule for acct has no action")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_ABOUT\"}]}]}", "unknown operator \"SCMP_CMP_ABOUT\"")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":7,\"op\":\"SCMP_CMP_EQ\"}]}]}", "tests argument 7")]
    [InlineData("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":-1}]}", "not a valid profile")]
    [InlineData("{\"syscalls\":[{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_ERRNO\"}]}", "no defaultAction")]
    public void BadProfilesGetOneLineErrorsNamingTheFile(string json, string expected)
    {
        string file = WriteProfile(json);
        try
        {
            var e = Assert.Throws<EngineException>(() => SeccompPolicy.For(file, [], false, Architecture.X64));
            Assert.StartsWith($"seccomp profile {file}: ", e.Message);
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain("\n", e.Message);
            Assert.Equal(ExitCodes.EngineError, e.ExitCode);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void UnreadableProfilesGetOneLineErrors()
    {
        var missing = Assert.Throws<EngineException>(() => SeccompPolicy.For("/nonexistent/profile.json", [], false));
        Assert.Equal("seccomp profile /nonexistent/profile.json: no such file", missing.Message);
        string dir = Path.GetTempPath();
        var directory = Assert.Throws<EngineException>(() => SeccompPolicy.For(dir, [], false));
        Assert.Equal($"seccomp profile {dir}: is a directory", directory.Message);
    }

    [Fact]
    public void OversizedProfilesAreRefusedWithoutReadingThemWhole()
    {
        string file = Path.Combine(Path.GetTempPath(), $"skiff-seccomp-{Guid.NewGuid():N}.json");
        using (var fs = File.Create(file)) fs.SetLength(SeccompPolicy.MaxProfileBytes + 1);
        try
        {
            var e = Assert.Throws<EngineException>(() => SeccompPolicy.For(file, [], false));
            Assert.Equal($"seccomp profile {file}: larger than {SeccompPolicy.MaxProfileBytes} bytes", e.Message);
        }
        finally { File.Delete(file); }
        // a FIFO has no size: it is read up to the limit
        var devZero = Assert.Throws<EngineException>(() => SeccompPolicy.For("/dev/zero", [], false));
        Assert.Contains("larger than", devZero.Message);
    }

    [Fact]
    public void MemberNamesMatchWithoutRegardToCaseAsInGo()
    {
        string file = WriteProfile("{\"DefaultAction\":\"SCMP_ACT_ALLOW\",\"SYSCALLS\":[{\"Names\":[\"acct\"],\"Action\":\"SCMP_ACT_ERRNO\",\"ErrnoRet\":5}]}");
        try
        {
            var s = SeccompPolicy.For(file, [], false, Architecture.X64)!;
            Assert.Equal("SCMP_ACT_ALLOW", s.DefaultAction);
            Assert.Equal(5u, s.Syscalls![0].ErrnoRet);
        }
        finally { File.Delete(file); }
    }

    /// <summary>The default profile through the compiler: what a container is refused, for several capability sets.</summary>
    [Theory]
    [InlineData("default")]
    [InlineData("cap-add-all")]
    [InlineData("cap-drop-all")]
    [InlineData("cap-mix")]
    public void PodmansDefaultMeansWhatItSaysOnEveryArchitecture(string fixture)
    {
        var (args, bounding, _) = Fixtures.Podman(fixture);
        foreach (var (native, arch) in new[] { (Architecture.X64, SeccompArch.X86_64), (Architecture.Arm64, SeccompArch.Aarch64) })
        {
            var profile = SeccompPolicy.For(Flags(args).Opt, bounding, false, native)!;
            var filter = SeccompCompiler.Compile(profile, native);
            BpfInterpreter.Verify(filter.Program);
            ProfileMeaning.AssertFilterMeans(profile, arch, filter.Program);
        }
    }

    [Fact]
    public void PodmansDefaultRefusesWhatPodmanRefuses()
    {
        var filter = SeccompCompiler.Compile(SeccompPolicy.For(null, Fixtures.Podman("default").Bounding, false, Architecture.X64)!, Architecture.X64);
        uint Verdict(uint nr, params ulong[] a) => BpfInterpreter.Run(filter.Program, SeccompData.Of(0xC000003E, nr, a));
        const uint allow = 0x7fff0000, eperm = 0x00050001, enosys = 0x00050026, einval = 0x00050016;
        Assert.Equal(allow, Verdict(0)); // read
        Assert.Equal(eperm, Verdict(321)); // bpf: needs CAP_SYS_ADMIN
        Assert.Equal(eperm, Verdict(163)); // acct: needs CAP_SYS_PACCT
        Assert.Equal(eperm, Verdict(246)); // kexec_load
        Assert.Equal(einval, Verdict(41, 16, 3, 9)); // socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) without CAP_AUDIT_WRITE
        Assert.Equal(allow, Verdict(41, 16, 3, 0)); // other netlink sockets
        Assert.Equal(allow, Verdict(41, 2, 1, 9));
        Assert.Equal(allow, Verdict(135, 0xffffffff)); // personality(0xffffffff): query
        Assert.Equal(enosys, Verdict(135, 1)); // other personalities
        Assert.Equal(enosys, Verdict(135, 0x100000008)); // the high word counts
        Assert.Equal(enosys, Verdict(460)); // a syscall newer than the profile
        Assert.Equal(0u, BpfInterpreter.Run(filter.Program, SeccompData.Of(0xC00000B7, 63))); // aarch64 is not listed: killed
    }
}
