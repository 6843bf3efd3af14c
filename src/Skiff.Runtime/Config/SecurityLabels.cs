using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Config;

/// <summary>Which Linux security modules the host has, as runc decides it.</summary>
public sealed record LsmSupport(bool AppArmor, bool SELinux)
{
    /// <summary>
    /// AppArmor: securityfs shows /sys/kernel/security/apparmor and the module's "enabled" parameter reads Y.
    /// SELinux: selinuxfs is mounted at /sys/fs/selinux (its "enforce" file exists). <paramref name="sysRoot"/>
    /// replaces "/sys" in tests.
    /// </summary>
    public static LsmSupport Detect(string sysRoot = "/sys")
    {
        bool apparmor = Directory.Exists(Path.Combine(sysRoot, "kernel/security/apparmor")) &&
            ReadStart(Path.Combine(sysRoot, "module/apparmor/parameters/enabled")) == 'Y';
        bool selinux = File.Exists(Path.Combine(sysRoot, "fs/selinux/enforce"));
        return new LsmSupport(apparmor, selinux);
    }

    private static char? ReadStart(string file)
    {
        try
        {
            string text = File.ReadAllText(file);
            return text.Length > 0 ? text[0] : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}

/// <summary>
/// process.apparmorProfile, process.selinuxLabel and linux.mountLabel need their security module: a config asking for
/// one on a host without that module is refused with one line, rather than running the container less confined than
/// asked (the AppArmor profile "unconfined" asks for nothing and passes). <see cref="Validate(Spec, LsmSupport?)"/> is
/// called at create, <see cref="ValidateProcess"/> for exec; where the module is there, <see cref="ExecAttributes"/>
/// says what the process writes right before its execve to get its label.
/// </summary>
public static class SecurityLabels
{
    /// <summary>The AppArmor profile that confines nothing.</summary>
    public const string Unconfined = "unconfined";

    private static readonly Lazy<LsmSupport> s_host = new(() => LsmSupport.Detect());

    /// <summary>What this host has (detected once).</summary>
    public static LsmSupport Host => s_host.Value;

    public static void Validate(Spec spec, LsmSupport? host = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        host ??= Host;
        if (spec.Process is { } process) ValidateProcess(process, host);
        if (!string.IsNullOrEmpty(spec.Linux?.MountLabel) && !host.SELinux)
            throw new RuntimeException($"linux.mountLabel \"{spec.Linux.MountLabel}\" needs SELinux, which this host does not have enabled: remove the label (podman: --security-opt label=disable)");
    }

    public static void ValidateProcess(Process process, LsmSupport? host = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        host ??= Host;
        if (!string.IsNullOrEmpty(process.ApparmorProfile) && process.ApparmorProfile != Unconfined && !host.AppArmor)
            throw new RuntimeException($"process.apparmorProfile \"{process.ApparmorProfile}\" needs AppArmor, which this host does not have enabled: remove the profile (podman: --security-opt apparmor=unconfined)");
        if (!string.IsNullOrEmpty(process.SelinuxLabel) && !host.SELinux)
            throw new RuntimeException($"process.selinuxLabel \"{process.SelinuxLabel}\" needs SELinux, which this host does not have enabled: remove the label (podman: --security-opt label=disable)");
    }

    /// <summary>
    /// The writes (file, content) that label the process's next execve, as runc makes them: AppArmor "exec PROFILE"
    /// to /proc/thread-self/attr/apparmor/exec, the SELinux label to /proc/thread-self/attr/exec. (Kernels before
    /// 5.8 have only /proc/thread-self/attr/exec, for AppArmor too.) linux.mountLabel becomes the mount option
    /// context="LABEL" of the container's non-bind mounts.
    /// </summary>
    public static IReadOnlyList<(string File, string Content)> ExecAttributes(Process process, LsmSupport? host = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        ValidateProcess(process, host);
        var writes = new List<(string, string)>();
        if (!string.IsNullOrEmpty(process.ApparmorProfile) && (host ?? Host).AppArmor)
            writes.Add(("/proc/thread-self/attr/apparmor/exec", $"exec {process.ApparmorProfile}"));
        if (!string.IsNullOrEmpty(process.SelinuxLabel))
            writes.Add(("/proc/thread-self/attr/exec", process.SelinuxLabel));
        return writes;
    }
}
