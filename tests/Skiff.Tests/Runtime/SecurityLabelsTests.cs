using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Config;

namespace Skiff.Tests.Runtime;

/// <summary>apparmorProfile, selinuxLabel and mountLabel on hosts with and without their module.</summary>
public sealed class SecurityLabelsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-sec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly LsmSupport None = new(AppArmor: false, SELinux: false);
    private static readonly LsmSupport Both = new(AppArmor: true, SELinux: true);

    private static Spec WithLabels(string? apparmor = null, string? selinux = null, string? mountLabel = null) => new()
    {
        Process = new Process { Args = ["sh"], ApparmorProfile = apparmor, SelinuxLabel = selinux },
        Linux = new Linux { MountLabel = mountLabel },
    };

    [Fact]
    public void LabelsNeedTheirModule()
    {
        Assert.Equal("process.apparmorProfile \"docker-default\" needs AppArmor, which this host does not have enabled: remove the profile (podman: --security-opt apparmor=unconfined)",
            Assert.Throws<RuntimeException>(() => SecurityLabels.Validate(WithLabels(apparmor: "docker-default"), None)).Message);
        Assert.StartsWith("process.selinuxLabel \"system_u:system_r:container_t:s0\" needs SELinux",
            Assert.Throws<RuntimeException>(() => SecurityLabels.Validate(WithLabels(selinux: "system_u:system_r:container_t:s0"), None)).Message, StringComparison.Ordinal);
        Assert.StartsWith("linux.mountLabel \"system_u:object_r:container_file_t:s0\" needs SELinux",
            Assert.Throws<RuntimeException>(() => SecurityLabels.Validate(WithLabels(mountLabel: "system_u:object_r:container_file_t:s0"), None)).Message, StringComparison.Ordinal);
        // Nothing asked, or "unconfined": fine anywhere.
        SecurityLabels.Validate(WithLabels(), None);
        SecurityLabels.Validate(WithLabels(apparmor: "unconfined"), None);
        SecurityLabels.Validate(WithLabels(apparmor: "p", selinux: "l", mountLabel: "m"), Both);
        Assert.Throws<RuntimeException>(() => SecurityLabels.Validate(WithLabels(apparmor: "p"), new LsmSupport(AppArmor: false, SELinux: true)));
    }

    [Fact]
    public void ExecAttributesLabelTheNextExec()
    {
        var writes = SecurityLabels.ExecAttributes(WithLabels(apparmor: "prof", selinux: "lab").Process!, Both);
        Assert.Equal([("/proc/thread-self/attr/apparmor/exec", "exec prof"), ("/proc/thread-self/attr/exec", "lab")], writes);
        Assert.Empty(SecurityLabels.ExecAttributes(WithLabels(apparmor: "unconfined").Process!, None));
    }

    [Fact]
    public void TheHostsModulesAreDetectedFromSysfs()
    {
        string sys = Path.Combine(_dir, "sys");
        Assert.Equal(None, LsmSupport.Detect(sys));
        Directory.CreateDirectory(Path.Combine(sys, "kernel/security/apparmor"));
        Directory.CreateDirectory(Path.Combine(sys, "module/apparmor/parameters"));
        File.WriteAllText(Path.Combine(sys, "module/apparmor/parameters/enabled"), "N\n");
        Assert.False(LsmSupport.Detect(sys).AppArmor);
        File.WriteAllText(Path.Combine(sys, "module/apparmor/parameters/enabled"), "Y\n");
        Assert.True(LsmSupport.Detect(sys).AppArmor);
        Directory.CreateDirectory(Path.Combine(sys, "fs/selinux"));
        Assert.False(LsmSupport.Detect(sys).SELinux);
        File.WriteAllText(Path.Combine(sys, "fs/selinux/enforce"), "1");
        Assert.True(LsmSupport.Detect(sys).SELinux);
        // This host: the truth of /sys, checked by what the kernel lists.
        string lsm = File.Exists("/sys/kernel/security/lsm") ? File.ReadAllText("/sys/kernel/security/lsm") : "";
        if (!lsm.Contains("apparmor", StringComparison.Ordinal)) Assert.False(SecurityLabels.Host.AppArmor);
        if (!lsm.Contains("selinux", StringComparison.Ordinal)) Assert.False(SecurityLabels.Host.SELinux);
    }
}
