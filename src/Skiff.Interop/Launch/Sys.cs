using System.Runtime.InteropServices;

namespace Skiff.Interop.Launch;

/// <summary>The system calls a <see cref="SyscallProgram"/> may make (names as in the kernel's tables).</summary>
public enum Sys
{
    Read, Write, Close, Prctl, Getppid, Setsid, Dup3, CloseRange, RtSigaction, RtSigprocmask, Execve, Execveat,
    ExitGroup, Setresuid, Setresgid, Setgroups, Setns, Chdir, Fchdir, Umask, Capset, Seccomp, Ioctl, Prlimit64,
    Personality, IoprioSet, SchedSetattr, Sendmsg, Kill, Setpriority, Openat, Fcntl, Chroot, Getpid, Unshare, Keyctl,
}

/// <summary>Their numbers on x86_64 and aarch64 (checked against libseccomp's scmp_sys_resolver by a unit test).</summary>
public static class SyscallNumbers
{
    private static readonly Dictionary<Sys, (long X64, long Arm64)> Table = new()
    {
        [Sys.Read] = (0, 63), [Sys.Write] = (1, 64), [Sys.Close] = (3, 57), [Sys.Prctl] = (157, 167),
        [Sys.Getppid] = (110, 173), [Sys.Setsid] = (112, 157), [Sys.Dup3] = (292, 24), [Sys.CloseRange] = (436, 436),
        [Sys.RtSigaction] = (13, 134), [Sys.RtSigprocmask] = (14, 135), [Sys.Execve] = (59, 221), [Sys.Execveat] = (322, 281),
        [Sys.ExitGroup] = (231, 94), [Sys.Setresuid] = (117, 147), [Sys.Setresgid] = (119, 149), [Sys.Setgroups] = (116, 159),
        [Sys.Setns] = (308, 268), [Sys.Chdir] = (80, 49), [Sys.Fchdir] = (81, 50), [Sys.Umask] = (95, 166),
        [Sys.Capset] = (126, 91), [Sys.Seccomp] = (317, 277), [Sys.Ioctl] = (16, 29), [Sys.Prlimit64] = (302, 261),
        [Sys.Personality] = (135, 92), [Sys.IoprioSet] = (251, 30), [Sys.SchedSetattr] = (314, 274), [Sys.Sendmsg] = (46, 211),
        [Sys.Kill] = (62, 129), [Sys.Setpriority] = (141, 140), [Sys.Openat] = (257, 56), [Sys.Fcntl] = (72, 25),
        [Sys.Chroot] = (161, 51), [Sys.Getpid] = (39, 172), [Sys.Unshare] = (272, 97), [Sys.Keyctl] = (250, 219),
    };

    public static long Of(Sys call, Architecture architecture) => architecture switch
    {
        Architecture.X64 => Table[call].X64,
        Architecture.Arm64 => Table[call].Arm64,
        _ => throw new PlatformNotSupportedException($"no system call numbers for {architecture}"),
    };

    public static long Of(Sys call) => Of(call, RuntimeInformation.ProcessArchitecture);

    /// <summary>The kernel's name of a call ("close_range", "rt_sigaction").</summary>
    public static string Name(Sys call) => call switch
    {
        Sys.CloseRange => "close_range", Sys.RtSigaction => "rt_sigaction", Sys.RtSigprocmask => "rt_sigprocmask",
        Sys.ExitGroup => "exit_group", Sys.Prlimit64 => "prlimit64", Sys.IoprioSet => "ioprio_set",
        Sys.SchedSetattr => "sched_setattr",
        _ => call.ToString().ToLowerInvariant(),
    };
}
