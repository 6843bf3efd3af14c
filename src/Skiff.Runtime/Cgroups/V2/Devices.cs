using Skiff.Runtime.Cgroups.Devices;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>
/// Device rules on cgroup v2 (and on the cgroup2 tree of a hybrid host): an eBPF device program built from
/// the rules, attached with BPF_F_ALLOW_MULTI (the parents' programs keep applying too); an update attaches
/// the new program before it detaches the old.
/// </summary>
public static class Devices
{
    public static void Set(CgroupDir dir, IReadOnlyList<DeviceRule> rules) =>
        dir.Fs.AttachDeviceFilter(dir.Path, DeviceFilterProgram.Build(rules), DeviceFilterProgram.License);
}
