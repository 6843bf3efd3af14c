namespace Skiff.Interop;

/// <summary>CAP_* names and their numbers (linux/capability.h): the runtime sets them, the engine checks --cap-add/--cap-drop against them.</summary>
public static class CapabilityNames
{
    private static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    public static IReadOnlyList<string> All => Names;

    /// <summary>The name of capability <paramref name="number"/> ("CAP_CHOWN"), or "capability N" for one this runtime does not know.</summary>
    public static string Name(int number) => number >= 0 && number < Names.Length ? Names[number] : $"capability {number}";

    /// <summary>The number of a capability, or -1 when this runtime does not know the name.</summary>
    public static int Number(string name)
    {
        string n = name.ToUpperInvariant();
        if (!n.StartsWith("CAP_", StringComparison.Ordinal)) n = "CAP_" + n;
        return Array.IndexOf(Names, n);
    }

    /// <summary>A 64-bit mask of the known names; unknown names are skipped (like runc, which warns).</summary>
    public static ulong Mask(IEnumerable<string>? names)
    {
        ulong mask = 0;
        foreach (string name in names ?? [])
        {
            int n = Number(name);
            if (n >= 0) mask |= 1UL << n;
        }
        return mask;
    }
}
