using System.Globalization;
using Skiff.Interop;
using Skiff.Interop.Launch;
using OciProcess = Skiff.Oci.Runtime.Process;

namespace Skiff.Runtime.Processes;

/// <summary>What the last steps before exec need besides the OCI process itself.</summary>
public sealed class LaunchContext
{
    /// <summary>The pty slave that becomes stdin, stdout, stderr and the controlling terminal (process.terminal).</summary>
    public int TerminalFd { get; init; } = -1;
    /// <summary>A directory fd (O_PATH) of process.cwd, resolved inside the container's root; -1 to chdir by path.</summary>
    public int CwdFd { get; init; } = -1;
    /// <summary>linux.personality as the personality(2) value, or null to keep the runtime's.</summary>
    public ulong? Personality { get; init; }
    /// <summary>The compiled seccomp filter, or null for none.</summary>
    public SeccompInstall? Seccomp { get; init; }
    /// <summary>Highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap).</summary>
    public int LastCapability { get; init; } = 40;
    /// <summary>
    /// The capabilities the launching process holds (its CapPrm): a set asked for beyond them is granted as far
    /// as they go, as runc does (--privileged where root itself lacks CAP_SYS_RESOURCE), instead of failing capset.
    /// </summary>
    public ulong AvailableCapabilities { get; init; } = ulong.MaxValue;
}

/// <summary>A seccomp filter to install, and where to send its listener fd (SCMP_ACT_NOTIFY).</summary>
public sealed class SeccompInstall
{
    public required byte[] Program { get; init; }
    public ulong Flags { get; init; }
    /// <summary>A socket connected to linux.seccomp.listenerPath; -1 when the filter has no listener.</summary>
    public int ListenerSocketFd { get; init; } = -1;
    /// <summary>The ContainerProcessState JSON sent with the listener fd.</summary>
    public byte[] ListenerMessage { get; init; } = [];
}

/// <summary>
/// The OCI process turned into the system calls made right before execve, in runc's order: the terminal,
/// scheduling, seccomp (before capabilities are dropped unless no_new_privs is set, since installing a
/// filter then needs CAP_SYS_ADMIN), the bounding set, user and groups (keeping capabilities across
/// setresuid), capsets and ambient capabilities, umask, the working directory, no_new_privs, then seccomp
/// as late as possible when no_new_privs allows it. Shared by the init (run on its own thread) and `exec`
/// (run in the cloned child), so both apply a process the same way.
/// </summary>
public static class LaunchPlan
{
    /// <summary>The terminal steps: a new session whose controlling terminal is the pty slave, which becomes fds 0, 1 and 2.</summary>
    public static void AddTerminal(SyscallProgram p, LaunchContext context)
    {
        if (context.TerminalFd < 0) return;
        p.Setsid();
        p.Ioctl(context.TerminalFd, Libc.TIOCSCTTY, 0, "make the pty the controlling terminal");
        for (int fd = 0; fd <= 2; fd++) p.Dup3(context.TerminalFd, fd);
    }

    /// <summary>Everything from scheduling to no_new_privs and seccomp (signals and exec are the caller's).</summary>
    public static void AddProcess(SyscallProgram p, OciProcess process, LaunchContext context)
    {
        if (context.Personality is { } persona) p.Personality(persona);
        AddScheduling(p, process);
        bool noNewPrivileges = process.NoNewPrivileges == true;
        if (context.Seccomp is { } early && !noNewPrivileges) AddSeccomp(p, early);
        AddIdentity(p, process, context.LastCapability, context.AvailableCapabilities);
        p.Umask(process.User.Umask ?? 0x12); // 022 unless the config says otherwise
        if (context.CwdFd >= 0) p.Fchdir(context.CwdFd, $"change directory to {process.Cwd}");
        else p.Chdir(process.Cwd);
        if (noNewPrivileges) p.Prctl("set no_new_privs", Libc.PR_SET_NO_NEW_PRIVS, 1);
        if (context.Seccomp is { } late && noNewPrivileges) AddSeccomp(p, late);
    }

    /// <summary>The whole program the init runs on its own thread: block signals, the process, reset signals, exec.</summary>
    public static SyscallProgram ForInit(OciProcess process, string executable, LaunchContext context, int firstClosedFd)
    {
        var p = new SyscallProgram();
        try
        {
            p.BlockAllSignals();
            AddTerminal(p, context);
            p.CloseOnExecFrom(firstClosedFd);
            p.ResetSignalDispositions();
            AddProcess(p, process, context);
            p.UnblockAllSignals();
            p.Execve(executable, process.Args!, process.Env ?? []);
            return p;
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    private static void AddScheduling(SyscallProgram p, OciProcess process)
    {
        if (process.IoPriority is { } io)
        {
            long ioClass = io.Class switch
            {
                "IOPRIO_CLASS_RT" => 1, "IOPRIO_CLASS_BE" => 2, "IOPRIO_CLASS_IDLE" => 3,
                _ => throw new RuntimeException($"process.ioPriority.class {io.Class} is not one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE"),
            };
            if (io.Priority is < 0 or > 7) throw new RuntimeException($"process.ioPriority.priority {io.Priority} is not between 0 and 7");
            p.Add($"set the I/O priority to {io.Class} {io.Priority}", Sys.IoprioSet, 1 /* IOPRIO_WHO_PROCESS */, 0, (ioClass << 13) | (long)io.Priority);
        }
        if (process.Scheduler is { } s) AddScheduler(p, s);
    }

    private static unsafe void AddScheduler(SyscallProgram p, Oci.Runtime.Scheduler s)
    {
        uint policy = s.Policy switch
        {
            "SCHED_OTHER" => 0, "SCHED_FIFO" => 1, "SCHED_RR" => 2, "SCHED_BATCH" => 3, "SCHED_ISO" => 4, "SCHED_IDLE" => 5, "SCHED_DEADLINE" => 6,
            _ => throw new RuntimeException($"process.scheduler.policy {s.Policy} is not a known policy"),
        };
        ulong flags = 0;
        foreach (string f in s.Flags ?? [])
            flags |= f switch
            {
                "SCHED_FLAG_RESET_ON_FORK" => 0x01UL, "SCHED_FLAG_RECLAIM" => 0x02UL, "SCHED_FLAG_DL_OVERRUN" => 0x04UL,
                "SCHED_FLAG_KEEP_POLICY" => 0x08UL, "SCHED_FLAG_KEEP_PARAMS" => 0x10UL, "SCHED_FLAG_UTIL_CLAMP_MIN" => 0x20UL,
                "SCHED_FLAG_UTIL_CLAMP_MAX" => 0x40UL,
                _ => throw new RuntimeException($"process.scheduler.flags: {f} is not a known flag"),
            };
        // struct sched_attr (SCHED_ATTR_SIZE_VER0, 48 bytes)
        byte* attr = p.Alloc(56);
        *(uint*)attr = 48;
        *(uint*)(attr + 4) = policy;
        *(ulong*)(attr + 8) = flags;
        *(int*)(attr + 16) = s.Nice ?? 0;
        *(uint*)(attr + 20) = (uint)(s.Priority ?? 0);
        *(ulong*)(attr + 24) = s.Runtime ?? 0;
        *(ulong*)(attr + 32) = s.Deadline ?? 0;
        *(ulong*)(attr + 40) = s.Period ?? 0;
        p.Add($"set the scheduling policy to {s.Policy}", Sys.SchedSetattr, 0, (long)attr, 0);
    }

    private static unsafe void AddSeccomp(SyscallProgram p, SeccompInstall seccomp)
    {
        if (seccomp.ListenerSocketFd < 0)
        {
            p.InstallSeccompFilter(seccomp.Program, seccomp.Flags);
            return;
        }
        // The listener fd the kernel returns is stored straight into the SCM_RIGHTS slot of a prepared message.
        byte* control = p.Alloc(24);
        *(ulong*)control = 20;        // cmsg_len = CMSG_LEN(sizeof(int))
        *(int*)(control + 8) = 1;     // SOL_SOCKET
        *(int*)(control + 12) = 1;    // SCM_RIGHTS
        p.InstallSeccompFilter(seccomp.Program, seccomp.Flags, (long*)(control + 16));
        byte* body = p.Bytes(seccomp.ListenerMessage);
        long* iov = (long*)p.Alloc(16);
        iov[0] = (long)body;
        iov[1] = seccomp.ListenerMessage.Length;
        byte* msg = p.Alloc(56);
        *(long*)(msg + 16) = (long)iov;
        *(long*)(msg + 24) = 1;
        *(long*)(msg + 32) = (long)control;
        *(long*)(msg + 40) = 24;
        p.Add("send the seccomp listener to linux.seccomp.listenerPath", Sys.Sendmsg, seccomp.ListenerSocketFd, (long)msg, 0x4000 /* MSG_NOSIGNAL */,
            flags: SyscallProgram.StepFlags.Expect, expect: seccomp.ListenerMessage.Length);
    }

    /// <summary>Bounding set, user and groups, capability sets, ambient capabilities (runc's finalizeNamespace).</summary>
    private static void AddIdentity(SyscallProgram p, OciProcess process, int lastCapability, ulong available)
    {
        var caps = process.Capabilities;
        var user = process.User;
        if (caps is not null)
        {
            ulong bounding = CapabilityNames.Mask(caps.Bounding);
            for (int cap = 0; cap <= lastCapability && cap < 64; cap++)
                if ((bounding & (1UL << cap)) == 0)
                    p.Prctl($"drop {CapabilityNames.Name(cap)} from the bounding set", Libc.PR_CAPBSET_DROP, cap);
            p.Prctl("keep capabilities across the change of user", Libc.PR_SET_KEEPCAPS, 1);
        }
        var groups = user.AdditionalGids ?? [];
        // An empty list may be refused where setgroups is denied (a user namespace mapped by an unprivileged user): that is fine.
        p.SetGroups(groups, groups.Count == 0 ? SyscallProgram.StepFlags.MayFail : SyscallProgram.StepFlags.None);
        p.SetResGid(user.Gid);
        p.SetResUid(user.Uid);
        if (caps is null) return;
        p.Prctl("stop keeping capabilities across changes of user", Libc.PR_SET_KEEPCAPS, 0);
        p.Capset(CapabilityNames.Mask(caps.Effective) & available, CapabilityNames.Mask(caps.Permitted) & available,
            CapabilityNames.Mask(caps.Inheritable) & available);
        p.Prctl("clear the ambient capabilities", Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, flags: SyscallProgram.StepFlags.MayFail);
        foreach (string name in caps.Ambient ?? [])
        {
            int n = CapabilityNames.Number(name);
            // Like runc: an ambient capability missing from the permitted or inheritable set cannot be raised; not fatal.
            if (n >= 0 && (available & (1UL << n)) != 0) p.Prctl($"raise the ambient capability {CapabilityNames.Name(n)}", Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_RAISE, n, flags: SyscallProgram.StepFlags.MayFail);
        }
    }

    /// <summary>This process's permitted capabilities (CapPrm in /proc/self/status).</summary>
    public static ulong ReadPermittedCapabilities()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("CapPrm:", StringComparison.Ordinal))
                    return ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException) { }
        return ulong.MaxValue;
    }

    /// <summary>linux.personality as personality(2) takes it: the domain (LINUX 0, LINUX32 8) with its flags.</summary>
    public static ulong? PersonalityOf(Oci.Runtime.Personality? personality)
    {
        if (personality is null) return null;
        ulong value = personality.Domain switch
        {
            "LINUX" => 0,
            "LINUX32" => 0x0008,
            _ => throw new RuntimeException($"linux.personality.domain {personality.Domain} is not LINUX or LINUX32"),
        };
        foreach (string flag in personality.Flags ?? [])
            value |= flag switch
            {
                "UNAME26" => 0x0020000UL, "ADDR_NO_RANDOMIZE" => 0x0040000UL, "FDPIC_FUNCPTRS" => 0x0080000UL, "MMAP_PAGE_ZERO" => 0x0100000UL,
                "ADDR_COMPAT_LAYOUT" => 0x0200000UL, "READ_IMPLIES_EXEC" => 0x0400000UL, "ADDR_LIMIT_32BIT" => 0x0800000UL,
                "SHORT_INODE" => 0x1000000UL, "WHOLE_SECONDS" => 0x2000000UL, "STICKY_TIMEOUTS" => 0x4000000UL, "ADDR_LIMIT_3GB" => 0x8000000UL,
                _ => throw new RuntimeException($"linux.personality.flags: {flag} is not a personality flag"),
            };
        return value;
    }

    /// <summary>/proc/sys/kernel/cap_last_cap, or 40 (CAP_CHECKPOINT_RESTORE) where it cannot be read.</summary>
    public static int ReadLastCapability()
    {
        try { return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return 40; }
    }
}
