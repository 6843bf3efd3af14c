using Skiff.Runtime.Cgroups.Devices;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>
/// The v1 devices controller: from what devices.list shows to the target rules with the least
/// disruptive writes (a new cgroup inherits "a *:* rwm" from its parent: "a" is denied, then the
/// allowed devices are added), then devices.list is read back and must match.
/// </summary>
public static class Devices
{
    public const string Name = "devices";

    public static void Set(CgroupDir dir, IReadOnlyList<DeviceRule> rules)
    {
        var target = DeviceEmulator.FromRules(rules);
        var current = DeviceEmulator.FromList(dir.Read("devices.list"));
        foreach (var rule in current.Transition(target))
            dir.Write(rule.Allow ? "devices.allow" : "devices.deny", rule.CgroupString);
        var after = DeviceEmulator.FromList(dir.Read("devices.list"));
        bool ok = target.DefaultAllow ? after.DefaultAllow : after.SameAs(target);
        if (!ok) throw new RuntimeException($"devices cgroup {dir.Path}: the kernel's device list does not match the rules after writing them");
    }
}
