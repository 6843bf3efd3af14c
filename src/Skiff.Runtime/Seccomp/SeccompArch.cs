namespace Skiff.Runtime.Seccomp;

/// <summary>The architectures the compiler has syscall tables for.</summary>
public enum SeccompArch
{
    X86_64,
    X86,
    X32,
    Aarch64,
    Arm,
}

/// <summary>What the filter needs to know about one architecture.</summary>
internal sealed class ArchInfo
{
    // linux/audit.h: AUDIT_ARCH_* (EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE)
    public const uint AuditX86_64 = 0xC000003E;
    public const uint AuditI386 = 0x40000003;
    public const uint AuditAarch64 = 0xC00000B7;
    public const uint AuditArm = 0x40000028;
    /// <summary>x32 syscalls reach the kernel as AUDIT_ARCH_X86_64 with this bit set in the number.</summary>
    public const uint X32SyscallBit = 0x40000000;

    public SeccompArch Arch { get; }
    /// <summary>The spec's name: SCMP_ARCH_X86_64, ...</summary>
    public string Name { get; }
    /// <summary>seccomp_data.arch of its syscalls.</summary>
    public uint AuditArch { get; }
    /// <summary>64-bit arguments (compared as two 32-bit words); 32-bit architectures compare the low word only.</summary>
    public bool Is64 { get; }

    private ArchInfo(SeccompArch arch, string name, uint auditArch, bool is64)
    {
        Arch = arch;
        Name = name;
        AuditArch = auditArch;
        Is64 = is64;
    }

    public static readonly ArchInfo X86_64 = new(SeccompArch.X86_64, "SCMP_ARCH_X86_64", AuditX86_64, true);
    public static readonly ArchInfo X86 = new(SeccompArch.X86, "SCMP_ARCH_X86", AuditI386, false);
    // libseccomp treats x32 as a 32-bit architecture (32-bit longs): its rules compare the low word of arguments
    public static readonly ArchInfo X32 = new(SeccompArch.X32, "SCMP_ARCH_X32", AuditX86_64, false);
    public static readonly ArchInfo Aarch64 = new(SeccompArch.Aarch64, "SCMP_ARCH_AARCH64", AuditAarch64, true);
    public static readonly ArchInfo Arm = new(SeccompArch.Arm, "SCMP_ARCH_ARM", AuditArm, false);

    public static readonly ArchInfo[] All = [X86_64, X86, X32, Aarch64, Arm];

    public static ArchInfo Of(SeccompArch arch) => arch switch
    {
        SeccompArch.X86_64 => X86_64,
        SeccompArch.X86 => X86,
        SeccompArch.X32 => X32,
        SeccompArch.Aarch64 => Aarch64,
        _ => Arm,
    };

    /// <summary>The number on this architecture of the syscall in table row <paramref name="row"/>, or -1.</summary>
    public int Number(int row) => SyscallTables.Number(Arch, row);

    /// <summary>seccomp_data offset of the low (or only) 32-bit word of argument <paramref name="arg"/> (little endian).</summary>
    public static int ArgLowOffset(int arg) => 16 + 8 * arg;

    /// <summary>seccomp_data offset of the high 32-bit word of argument <paramref name="arg"/> (little endian).</summary>
    public static int ArgHighOffset(int arg) => 16 + 8 * arg + 4;
}

/// <summary>
/// i386 reaches the socket and SysV IPC calls through the multiplexers socketcall(2) and ipc(2) as well as (since
/// Linux 4.3 and 5.1) directly. libseccomp, which runc and crun build their filters with, turns a rule for one of
/// these calls on x86 into a rule for the multiplexer with argument 0 equal to the call's number, plus the rule for
/// the direct syscall where there is one; the filter does the same so that both ways in are covered alike.
/// </summary>
internal static class X86Multiplexed
{
    public const int SocketCall = 102;
    public const int Ipc = 117;

    private static (int Syscall, uint Call)?[]? _byRow;

    /// <summary><see cref="Of"/> by table row (computed once for every row), by name when the tables lack it.</summary>
    public static (int Syscall, uint Call)? OfRow(int row, string name)
    {
        if (row < 0) return Of(name);
        var byRow = _byRow ??= Enumerable.Range(0, SyscallTables.RowCount).Select(r => Of(SyscallTables.NameOf(r))).ToArray();
        return byRow[row];
    }

    /// <summary>(multiplexer, call number) for a socket or IPC call name, or null.</summary>
    public static (int Syscall, uint Call)? Of(string name) => name switch
    {
        "socket" => (SocketCall, 1),
        "bind" => (SocketCall, 2),
        "connect" => (SocketCall, 3),
        "listen" => (SocketCall, 4),
        "accept" => (SocketCall, 5),
        "getsockname" => (SocketCall, 6),
        "getpeername" => (SocketCall, 7),
        "socketpair" => (SocketCall, 8),
        "send" => (SocketCall, 9),
        "recv" => (SocketCall, 10),
        "sendto" => (SocketCall, 11),
        "recvfrom" => (SocketCall, 12),
        "shutdown" => (SocketCall, 13),
        "setsockopt" => (SocketCall, 14),
        "getsockopt" => (SocketCall, 15),
        "sendmsg" => (SocketCall, 16),
        "recvmsg" => (SocketCall, 17),
        "accept4" => (SocketCall, 18),
        "recvmmsg" => (SocketCall, 19),
        "sendmmsg" => (SocketCall, 20),
        "semop" => (Ipc, 1),
        "semget" => (Ipc, 2),
        "semctl" => (Ipc, 3),
        "semtimedop" => (Ipc, 4),
        "msgsnd" => (Ipc, 11),
        "msgrcv" => (Ipc, 12),
        "msgget" => (Ipc, 13),
        "msgctl" => (Ipc, 14),
        "shmat" => (Ipc, 21),
        "shmdt" => (Ipc, 22),
        "shmget" => (Ipc, 23),
        "shmctl" => (Ipc, 24),
        _ => null,
    };
}

/// <summary>The syscall tables (generated by tools/seccomp/gen-syscall-tables.sh).</summary>
public static class SyscallTable
{
    /// <summary>The syscall's number on <paramref name="arch"/>, or -1 when that architecture has no such syscall.</summary>
    public static int Number(SeccompArch arch, string name) => SyscallTables.Number(arch, SyscallTables.Row(name));

    /// <summary>Every (name, number) of the table, in number order.</summary>
    public static IReadOnlyList<(string Name, int Number)> Entries(SeccompArch arch) => SyscallTables.Entries(arch);

    /// <summary>seccomp_data.arch of the architecture's syscalls (AUDIT_ARCH_*).</summary>
    public static uint AuditArch(SeccompArch arch) => ArchInfo.Of(arch).AuditArch;
}
