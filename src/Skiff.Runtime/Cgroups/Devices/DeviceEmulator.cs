using System.Globalization;

namespace Skiff.Runtime.Cgroups.Devices;

/// <summary>
/// What the v1 devices controller does with a sequence of rules, computed in user space (as runc does):
/// a default (allow all: black-list mode; deny all: white-list mode) and exceptions keyed by
/// (type, major, minor) with their access. It gives the v1 transition to write (a disruptive "a" only
/// when the mode changes) and the clean rule list the eBPF program is built from, so v1 and v2 agree.
/// Removing access that a partially matching wildcard exception grants is refused, as runc refuses it:
/// the kernel would silently ignore it.
/// </summary>
public sealed class DeviceEmulator
{
    private readonly record struct Key(char Type, long Major, long Minor);

    private Dictionary<Key, DeviceAccess> _rules = [];

    /// <summary>True in black-list mode (everything allowed but the exceptions).</summary>
    public bool DefaultAllow { get; private set; }

    public static DeviceEmulator FromRules(IEnumerable<DeviceRule> rules)
    {
        var e = new DeviceEmulator();
        foreach (var r in rules) e.Apply(r);
        return e;
    }

    /// <summary>The state devices.list shows: each line is an allow exception; "a *:* rwm" means black-list mode.</summary>
    public static DeviceEmulator FromList(string list)
    {
        var e = new DeviceEmulator();
        foreach (string raw in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] mm = f.Length == 3 ? f[1].Split(':') : [];
            if (f.Length != 3 || f[0].Length != 1 || mm.Length != 2) throw new RuntimeException($"devices.list: unexpected line \"{raw}\"");
            e.Apply(new DeviceRule(f[0][0], ParseNumber(mm[0]), ParseNumber(mm[1]), DeviceRule.ParseAccess(f[2]), true));
        }
        return e;
    }

    private static long ParseNumber(string s) => s == "*" ? DeviceRule.Wildcard : long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

    public void Apply(DeviceRule rule)
    {
        if (rule.Type == 'a')
        {
            // "a" resets: allow-all (black-list) or deny-all (white-list).
            DefaultAllow = rule.Allow;
            _rules = [];
            return;
        }
        if (rule.Type is not ('c' or 'b')) throw new RuntimeException($"device rule {rule}: type must be a, c or b");
        var key = new Key(rule.Type, rule.Major, rule.Minor);
        if (rule.Allow == DefaultAllow) Remove(key, rule);
        else _rules[key] = _rules.GetValueOrDefault(key) | rule.Access;
    }

    private void Remove(Key key, DeviceRule rule)
    {
        foreach (var partial in new[] { key with { Major = DeviceRule.Wildcard }, key with { Minor = DeviceRule.Wildcard }, key with { Major = DeviceRule.Wildcard, Minor = DeviceRule.Wildcard } })
        {
            if (partial == key) continue;
            if ((_rules.GetValueOrDefault(partial) & rule.Access) != 0)
                throw new RuntimeException($"device rule \"{rule}\" cannot punch a hole in the wildcard rule \"{new DeviceRule(partial.Type, partial.Major, partial.Minor, _rules[partial], !DefaultAllow)}\" (the devices cgroup would ignore it)");
        }
        var left = _rules.GetValueOrDefault(key) & ~rule.Access;
        if (left == DeviceAccess.None) _rules.Remove(key);
        else _rules[key] = left;
    }

    /// <summary>The exceptions, sorted by (major, minor, type), each with action !DefaultAllow.</summary>
    public List<DeviceRule> Exceptions() =>
        [.. _rules.OrderBy(r => r.Key.Major).ThenBy(r => r.Key.Minor).ThenBy(r => r.Key.Type)
            .Select(r => new DeviceRule(r.Key.Type, r.Key.Major, r.Key.Minor, r.Value, !DefaultAllow))];

    /// <summary>The clean rule list: the "a" rule setting the mode, then the exceptions.</summary>
    public List<DeviceRule> Rules() => [new DeviceRule('a', DeviceRule.Wildcard, DeviceRule.Wildcard, DeviceAccess.All, DefaultAllow), .. Exceptions()];

    /// <summary>
    /// Whether access to one device is allowed, as the kernel's v1 check decides: in white-list mode one
    /// exception must grant the whole access; in black-list mode no exception may match any of it.
    /// </summary>
    public bool Allows(char type, long major, long minor, DeviceAccess access)
    {
        foreach (var (k, a) in _rules)
        {
            if (k.Type != type || (k.Major != DeviceRule.Wildcard && k.Major != major) || (k.Minor != DeviceRule.Wildcard && k.Minor != minor)) continue;
            if (DefaultAllow && (a & access) != 0) return false;
            if (!DefaultAllow && (a & access) == access) return true;
        }
        return DefaultAllow;
    }

    /// <summary>
    /// The least disruptive rules that take the devices controller from this state to <paramref name="target"/>:
    /// a disruptive "a" rule only when the mode changes (or this is a black-list, whose deny exceptions
    /// devices.list cannot show), then the access to drop, then the access to add.
    /// </summary>
    public List<DeviceRule> Transition(DeviceEmulator target)
    {
        var result = new List<DeviceRule>();
        var old = _rules;
        if (DefaultAllow || DefaultAllow != target.DefaultAllow)
        {
            result.Add(new DeviceRule('a', DeviceRule.Wildcard, DeviceRule.Wildcard, DeviceAccess.All, target.DefaultAllow));
            old = [];
        }
        foreach (var (k, a) in old.OrderBy(r => r.Key.Major).ThenBy(r => r.Key.Minor).ThenBy(r => r.Key.Type))
        {
            var dropped = a & ~target._rules.GetValueOrDefault(k);
            if (dropped != DeviceAccess.None) result.Add(new DeviceRule(k.Type, k.Major, k.Minor, dropped, target.DefaultAllow));
        }
        foreach (var (k, a) in target._rules.OrderBy(r => r.Key.Major).ThenBy(r => r.Key.Minor).ThenBy(r => r.Key.Type))
        {
            var gained = a & ~old.GetValueOrDefault(k);
            if (gained != DeviceAccess.None) result.Add(new DeviceRule(k.Type, k.Major, k.Minor, gained, !target.DefaultAllow));
        }
        return result;
    }

    /// <summary>Same mode and the same exceptions.</summary>
    public bool SameAs(DeviceEmulator other) =>
        DefaultAllow == other.DefaultAllow && _rules.Count == other._rules.Count && _rules.All(r => other._rules.GetValueOrDefault(r.Key) == r.Value);
}
