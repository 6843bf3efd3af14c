using System.Runtime.InteropServices;

namespace Skiff.Interop;

/// <summary>seccomp(2), which glibc 2.36 does not wrap: reached through syscall(2).</summary>
public static partial class Libc
{
    public const uint SECCOMP_SET_MODE_FILTER = 1;

    /// <summary>The seccomp syscall's number on the process's architecture.</summary>
    private static long SysSeccomp => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 317,
        Architecture.Arm64 => 277,
        Architecture.X86 => 354,
        Architecture.Arm => 383,
        var a => throw new PlatformNotSupportedException($"seccomp(2) on {a}"),
    };

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SockFprog
    {
        public ushort Len;
        public byte* Filter;
    }

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Syscall3(long number, ulong a1, ulong a2, void* a3);

    /// <summary>
    /// seccomp(SECCOMP_SET_MODE_FILTER, flags, program) for the calling thread (and, with TSYNC, its process):
    /// the notification listener's fd when flags has NEW_LISTENER, else 0. <paramref name="program"/> is a
    /// sock_filter array (8 bytes an instruction). Needs no_new_privs or CAP_SYS_ADMIN.
    /// </summary>
    public static unsafe int SeccompSetFilter(ReadOnlySpan<byte> program, uint flags)
    {
        if (program.Length == 0 || program.Length % 8 != 0 || program.Length / 8 > ushort.MaxValue)
            throw new ArgumentException("a seccomp program is a non-empty array of 8-byte instructions", nameof(program));
        fixed (byte* p = program)
        {
            var prog = new SockFprog { Len = (ushort)(program.Length / 8), Filter = p };
            return (int)Check(Syscall3(SysSeccomp, SECCOMP_SET_MODE_FILTER, flags, &prog), "seccomp(SECCOMP_SET_MODE_FILTER)");
        }
    }
}
