using Skiff.Interop;

namespace Skiff.Engine.Security;

/// <summary>The five capability sets of a container's process, as config.json lists them.</summary>
public sealed record ProcessCapabilities(List<string> Bounding, List<string> Effective, List<string> Permitted, List<string> Inheritable, List<string> Ambient);

/// <summary>
/// Podman 4.3's capabilities: containers.conf's default_capabilities, then --cap-drop and --cap-add ("all"
/// allowed in both, names with or without CAP_, any case); --privileged gives every capability. Root in the
/// container gets the result as bounding, effective and permitted; another user gets it as the bounding set
/// and only the --cap-add ones in every set, ambient included, so that they survive execve.
/// </summary>
public static class CapabilitySet
{
    /// <summary>containers.conf default_capabilities of podman 4.3 (Debian 12): what `podman run` gives by default.</summary>
    public static readonly IReadOnlyList<string> Defaults =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",
        "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
    ];

    /// <summary>Every capability Linux defines, in number order (linux/capability.h).</summary>
    public static IReadOnlyList<string> All => CapabilityNames.All;

    public static ProcessCapabilities Resolve(IReadOnlyList<string> capAdd, IReadOnlyList<string> capDrop, bool privileged, bool rootUser)
    {
        var add = capAdd.Select(Normalize).ToList();
        var drop = capDrop.Select(Normalize).ToList();
        List<string> set;
        if (privileged) set = [.. All];
        else
        {
            set = drop.Contains("ALL") ? [] : Defaults.Where(c => !drop.Contains(c)).ToList();
            if (add.Contains("ALL")) set = [.. All];
            else foreach (string c in add) if (!set.Contains(c)) set.Add(c);
            if (add.Contains("ALL") && drop.Count > 0) set = [.. set.Where(c => !drop.Contains(c))];
        }
        set = [.. set.Distinct().Order(StringComparer.Ordinal)]; // podman lists them in name order
        if (rootUser) return new ProcessCapabilities(set, [.. set], [.. set], [], []);
        var granted = privileged ? [] : add.Contains("ALL") ? set : add.Where(set.Contains).Distinct().Order(StringComparer.Ordinal).ToList();
        return new ProcessCapabilities(set, [.. granted], [.. granted], [.. granted], [.. granted]);
    }

    /// <summary>"net_admin", "CAP_NET_ADMIN", "all" → "CAP_NET_ADMIN", "ALL"; an unknown name is podman's error.</summary>
    public static string Normalize(string name)
    {
        string upper = name.Trim().ToUpperInvariant();
        if (upper == "ALL") return upper;
        string cap = upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
        return All.Contains(cap) ? cap : throw new EngineException($"\"{cap}\": unknown capability");
    }
}
