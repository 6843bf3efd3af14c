namespace Skiff.Runtime.Seccomp;

/// <summary>The spec's action names and the SECCOMP_RET_* values a filter returns for them.</summary>
public static class SeccompActions
{
    // linux/seccomp.h
    public const uint KillProcess = 0x80000000;
    public const uint KillThread = 0x00000000;
    public const uint Trap = 0x00030000;
    public const uint Errno = 0x00050000;
    public const uint UserNotif = 0x7fc00000;
    public const uint Trace = 0x7ff00000;
    public const uint Log = 0x7ffc0000;
    public const uint Allow = 0x7fff0000;
    public const uint ActionMask = 0xffff0000;

    private const uint EPERM = 1;

    /// <summary>Every action name the spec defines (SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD).</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ];

    /// <summary>
    /// The filter's return value for <paramref name="name"/>; <paramref name="errnoRet"/> is the errno of SCMP_ACT_ERRNO
    /// and the message of SCMP_ACT_TRACE (EPERM when absent, as runc and crun do) and is ignored by the others.
    /// Null for an unknown name.
    /// </summary>
    public static uint? Value(string name, uint? errnoRet) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => KillThread,
        "SCMP_ACT_KILL_PROCESS" => KillProcess,
        "SCMP_ACT_TRAP" => Trap,
        "SCMP_ACT_ERRNO" => Errno | ((errnoRet ?? EPERM) & 0xffff),
        "SCMP_ACT_TRACE" => Trace | ((errnoRet ?? EPERM) & 0xffff),
        "SCMP_ACT_ALLOW" => Allow,
        "SCMP_ACT_LOG" => Log,
        "SCMP_ACT_NOTIFY" => UserNotif,
        _ => null,
    };

    /// <summary>A readable form of a return value, for messages and tests: ERRNO(38), ALLOW, ...</summary>
    public static string Describe(uint value) => (value & ActionMask) switch
    {
        KillProcess => "KILL_PROCESS",
        KillThread => "KILL_THREAD",
        Trap => "TRAP",
        Errno => $"ERRNO({value & 0xffff})",
        UserNotif => "NOTIFY",
        Trace => $"TRACE({value & 0xffff})",
        Log => "LOG",
        Allow => "ALLOW",
        _ => $"0x{value:x8}",
    };
}
