namespace Skiff.Runtime.Config;

/// <summary>RLIMIT_* names, and the clamping of requested limits to what this process may set.</summary>
public static class Rlimits
{
    private static readonly string[] Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE",
        "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    public static int Resource(string type)
    {
        int i = Array.IndexOf(Names, type.ToUpperInvariant());
        return i >= 0 ? i : throw new RuntimeException($"unknown rlimit type: {type}");
    }

    /// <summary>
    /// Without CAP_SYS_RESOURCE a hard limit can only be lowered: a request above the current hard
    /// limit (podman asks 1048576 open files) is clamped to it, and the soft limit to the new hard one.
    /// </summary>
    public static (ulong Soft, ulong Hard) Clamp(ulong soft, ulong hard, ulong currentHard)
    {
        ulong newHard = Math.Min(hard, currentHard);
        return (Math.Min(soft, newHard), newHard);
    }
}
