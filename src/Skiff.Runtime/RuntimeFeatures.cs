using Skiff.Oci.Runtime;
using Skiff.Runtime.Config;
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

    // PLUG (cgroups): the cgroup manager's modes. Today the runtime manages no cgroup at all.
    private static CgroupFeatures Cgroup() => new() { V1 = false, V2 = false, Systemd = false, SystemdUser = false, Rdma = false };

    // PLUG (seccomp): the compiler's actions, operators, architectures and flags. Today no filter is installed.
    private static SeccompFeatures Seccomp() => new() { Enabled = false, Actions = [], Operators = [], Archs = [], KnownFlags = [], SupportedFlags = [] };

    // PLUG (mounts): the options Config/MountOptions.cs interprets today (flags, propagation, bind).
    private static List<string> MountOptionNames() =>
    [
        "async", "atime", "bind", "dev", "diratime", "dirsync", "exec", "lazytime", "mand", "noatime", "nodev", "nodiratime",
        "noexec", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "rbind",
        "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared", "slave",
        "strictatime", "suid", "symfollow", "sync", "unbindable",
    ];

    // PLUG (mounts): idmapped mounts ("idmap" options, uidMappings/gidMappings on a mount). Not yet.
    private static bool IdmappedMounts() => false;
}
