using System.Globalization;

namespace Skiff.Runtime.Cgroups.Devices;

/// <summary>r, w, m of a device rule.</summary>
[Flags]
public enum DeviceAccess
{
    None = 0,
    Read = 1,
    Write = 2,
    Mknod = 4,
    All = Read | Write | Mknod,
}

/// <summary>
/// A device cgroup rule: type 'a' (all), 'c' or 'b'; major and minor, -1 for "*"; access; allow or deny.
/// </summary>
public readonly record struct DeviceRule(char Type, long Major, long Minor, DeviceAccess Access, bool Allow)
{
    public const long Wildcard = -1;

    public static DeviceAccess ParseAccess(string? access)
    {
        if (string.IsNullOrEmpty(access)) return DeviceAccess.All;
        var a = DeviceAccess.None;
        foreach (char c in access)
        {
            a |= c switch
            {
                'r' => DeviceAccess.Read,
                'w' => DeviceAccess.Write,
                'm' => DeviceAccess.Mknod,
                _ => throw new RuntimeException($"linux.resources.devices: unknown device access \"{access}\" (r, w and m are allowed)"),
            };
        }
        return a;
    }

    public static string AccessString(DeviceAccess a) =>
        ((a & DeviceAccess.Read) != 0 ? "r" : "") + ((a & DeviceAccess.Write) != 0 ? "w" : "") + ((a & DeviceAccess.Mknod) != 0 ? "m" : "");

    /// <summary>The line written to devices.allow or devices.deny: "c 1:3 rwm", "a *:* rwm".</summary>
    public string CgroupString => Type == 'a' ? "a *:* rwm"
        : $"{Type} {Number(Major)}:{Number(Minor)} {AccessString(Access)}";

    private static string Number(long n) => n < 0 ? "*" : n.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => (Allow ? "allow " : "deny ") + CgroupString;
}

/// <summary>The device rules a container gets: the config's, then the defaults runc always allows, then each linux.devices node.</summary>
public static class DeviceRules
{
    /// <summary>runc's AllowedDevices: mknod of any node (opening it is another matter), the standard nodes, ptys and tun.</summary>
    public static readonly IReadOnlyList<DeviceRule> Defaults =
    [
        new('c', DeviceRule.Wildcard, DeviceRule.Wildcard, DeviceAccess.Mknod, true),
        new('b', DeviceRule.Wildcard, DeviceRule.Wildcard, DeviceAccess.Mknod, true),
        new('c', 1, 3, DeviceAccess.All, true),   // /dev/null
        new('c', 1, 8, DeviceAccess.All, true),   // /dev/random
        new('c', 1, 7, DeviceAccess.All, true),   // /dev/full
        new('c', 5, 0, DeviceAccess.All, true),   // /dev/tty
        new('c', 1, 5, DeviceAccess.All, true),   // /dev/zero
        new('c', 1, 9, DeviceAccess.All, true),   // /dev/urandom
        new('c', 136, DeviceRule.Wildcard, DeviceAccess.All, true), // /dev/pts/*
        new('c', 5, 2, DeviceAccess.All, true),   // /dev/ptmx
        new('c', 10, 200, DeviceAccess.All, true), // /dev/net/tun
    ];

    public static List<DeviceRule> For(Oci.Runtime.Spec spec)
    {
        var rules = new List<DeviceRule>();
        int i = 0;
        foreach (var d in spec.Linux?.Resources?.Devices ?? [])
        {
            char type = d.Type switch
            {
                null or "" or "a" => 'a',
                "c" => 'c',
                "b" => 'b',
                _ => throw new RuntimeException($"linux.resources.devices[{i}]: invalid device type \"{d.Type}\" (a, c or b)"),
            };
            if (d.Major is < -1 or > uint.MaxValue || d.Minor is < -1 or > uint.MaxValue)
                throw new RuntimeException($"linux.resources.devices[{i}]: invalid major or minor number");
            rules.Add(new DeviceRule(type, d.Major ?? DeviceRule.Wildcard, d.Minor ?? DeviceRule.Wildcard, DeviceRule.ParseAccess(d.Access), d.Allow));
            i++;
        }
        rules.AddRange(Defaults);
        foreach (var d in spec.Linux?.Devices ?? [])
        {
            char type = d.Type switch
            {
                "c" or "u" => 'c',
                "b" => 'b',
                "p" => '\0', // a fifo: not a device cgroup matter
                _ => throw new RuntimeException($"linux.devices {d.Path}: invalid device type \"{d.Type}\" (c, u, b or p)"),
            };
            if (type != '\0') rules.Add(new DeviceRule(type, d.Major, d.Minor, DeviceAccess.All, true));
        }
        return rules;
    }
}
