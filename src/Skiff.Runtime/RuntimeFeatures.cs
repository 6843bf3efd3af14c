using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Hooks;

namespace Skiff.Runtime;

/// <summary>
/// What `features` prints (runtime-spec features.md): what this build of the runtime implements, truthfully.
/// Each part that another area owns is one method below, marked PLUG, returning today's values until that
/// area's code provides them.
/// </summary>
public static class RuntimeFeatures
{
    public static Features Build() => new()
    {
        OciVersionMin = "1.0.0",
        OciVersionMax = "1.2.0",
        Hooks = [.. HookRunner.Kinds],
        MountOptions = MountOptionNames(),
        Linux = new LinuxFeatures
        {
            Namespaces = ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"],
            Capabilities = [.. CapabilityNames.All],
            Cgroup = Cgroup(),
            Seccomp = Seccomp(),
            // Profiles and labels are not applied by this runtime yet; configs asking for them where the module
            // is missing are refused (Config/SecurityLabels.cs).
            Apparmor = new EnabledFeature { Enabled = false },
            Selinux = new EnabledFeature { Enabled = false },
            IntelRdt = new EnabledFeature { Enabled = false },
            MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = IdmappedMounts() } },
        },
    };

    // The cgroup managers: cgroupfs on v1, v2 and hybrid hosts; systemd where it runs (system instance only); rdma limits.
    private static CgroupFeatures Cgroup() => new() { V1 = true, V2 = true, Systemd = true, SystemdUser = false, Rdma = true };

    // The seccomp compiler's actions, operators, architectures and flags.
    private static SeccompFeatures Seccomp() => Skiff.Runtime.Seccomp.SeccompCompiler.Features();

    // The options Rootfs/MountOptions.cs interprets (flags, recursive flags, propagation, bind, idmap, tmpcopyup).
    private static List<string> MountOptionNames() => [.. Rootfs.MountOptions.Known.Distinct().Order(StringComparer.Ordinal)];

    // Idmapped mounts ("idmap"/"ridmap" with uidMappings/gidMappings on the mount) where the kernel has mount_setattr.
    private static bool IdmappedMounts() => true;
}
