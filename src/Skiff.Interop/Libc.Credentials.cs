using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Users, groups, capabilities, resource limits, exec.
public static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "setresuid", SetLastError = true)]
    public static partial int SetResUid(uint ruid, uint euid, uint suid);

    [LibraryImport(Name, EntryPoint = "setresgid", SetLastError = true)]
    public static partial int SetResGid(uint rgid, uint egid, uint sgid);

    [LibraryImport(Name, EntryPoint = "setgroups", SetLastError = true)]
    private static unsafe partial int SetGroupsRaw(nint size, uint* list);

    public static unsafe int SetGroups(ReadOnlySpan<uint> groups)
    {
        fixed (uint* p = groups) return SetGroupsRaw(groups.Length, p);
    }

    [LibraryImport(Name, EntryPoint = "capset", SetLastError = true)]
    private static unsafe partial int CapSetRaw(uint* header, uint* data);

    /// <summary>capset(2), version 3, for the calling thread: 64-bit effective/permitted/inheritable masks.</summary>
    public static unsafe int CapSet(ulong effective, ulong permitted, ulong inheritable)
    {
        uint* header = stackalloc uint[2];
        header[0] = 0x20080522; // _LINUX_CAPABILITY_VERSION_3
        header[1] = 0;
        uint* data = stackalloc uint[6];
        data[0] = (uint)effective; data[1] = (uint)permitted; data[2] = (uint)inheritable;
        data[3] = (uint)(effective >> 32); data[4] = (uint)(permitted >> 32); data[5] = (uint)(inheritable >> 32);
        return CapSetRaw(header, data);
    }

    public const int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4, RLIMIT_RSS = 5,
        RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11,
        RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15;

    [LibraryImport(Name, EntryPoint = "prlimit", SetLastError = true)]
    private static unsafe partial int PrlimitRaw(int pid, int resource, ulong* newLimit, ulong* oldLimit);

    public static unsafe (ulong Soft, ulong Hard) GetRlimit(int resource)
    {
        ulong* old = stackalloc ulong[2];
        Check(PrlimitRaw(0, resource, null, old), $"getrlimit {resource}");
        return (old[0], old[1]);
    }

    public static unsafe int SetRlimit(int resource, ulong soft, ulong hard)
    {
        ulong* limit = stackalloc ulong[2];
        limit[0] = soft; limit[1] = hard;
        return PrlimitRaw(0, resource, limit, null);
    }

    [LibraryImport(Name, EntryPoint = "execve", SetLastError = true)]
    private static unsafe partial int ExecveRaw(byte* path, byte** argv, byte** envp);

    /// <summary>execve(2); returns only on failure (with the errno in the exception).</summary>
    public static unsafe void Execve(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp)
    {
        using var arena = new Clone.NativeArena();
        int r = ExecveRaw(arena.CString(path), arena.CStringArray(argv), arena.CStringArray(envp));
        Check(r, $"execve {path}");
    }
}
