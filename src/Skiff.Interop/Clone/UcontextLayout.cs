using System.Runtime.InteropServices;

namespace Skiff.Interop.Clone;

/// <summary>
/// Where glibc keeps the fields of ucontext_t that the clone chain writes, per architecture
/// (sysdeps/unix/sysv/linux/{x86_64,aarch64}/sys/ucontext.h), and the system call numbers the
/// chain uses. Everything architecture-specific about <see cref="CloneChild"/> is in this file.
/// </summary>
internal sealed record UcontextLayout(
    int Size, int UcLink, int StackPointer, int StackSize, int SigMask,
    long SysRead, long SysWrite, long SysClose, long SysPrctl, long SysSetsid, long SysDup3,
    long SysCloseRange, long SysRtSigaction, long SysExecve, long SysExitGroup, long SysSetresuid, long SysSetresgid)
{
    /// <summary>x86-64: uc_flags 0, uc_link 8, uc_stack {ss_sp 16, ss_flags 24, ss_size 32},
    /// uc_mcontext 40 (gregs[23], fpregs*, reserved[8] = 256 bytes), uc_sigmask 296 (128 bytes),
    /// __fpregs_mem 424 (512 bytes), __ssp[4] 936: 968 bytes.</summary>
    public static readonly UcontextLayout X64 = new(
        Size: 968, UcLink: 8, StackPointer: 16, StackSize: 32, SigMask: 296,
        SysRead: 0, SysWrite: 1, SysClose: 3, SysPrctl: 157, SysSetsid: 112, SysDup3: 292,
        SysCloseRange: 436, SysRtSigaction: 13, SysExecve: 59, SysExitGroup: 231, SysSetresuid: 117, SysSetresgid: 119);

    /// <summary>aarch64: uc_flags 0, uc_link 8, uc_stack {ss_sp 16, ss_flags 24, ss_size 32},
    /// uc_sigmask 40 (128 bytes), uc_mcontext at 176 (16-aligned: fault_address, regs[31], sp, pc,
    /// pstate, then __reserved[4096] aligned to 16 at 288): 4560 bytes.</summary>
    public static readonly UcontextLayout Arm64 = new(
        Size: 4560, UcLink: 8, StackPointer: 16, StackSize: 32, SigMask: 40,
        SysRead: 63, SysWrite: 64, SysClose: 57, SysPrctl: 167, SysSetsid: 157, SysDup3: 24,
        SysCloseRange: 436, SysRtSigaction: 134, SysExecve: 221, SysExitGroup: 94, SysSetresuid: 147, SysSetresgid: 149);

    public static UcontextLayout For(Architecture architecture) => architecture switch
    {
        Architecture.X64 => X64,
        Architecture.Arm64 => Arm64,
        _ => throw new PlatformNotSupportedException($"clone chain: no ucontext layout for {architecture}"),
    };

    public static UcontextLayout Current => For(RuntimeInformation.ProcessArchitecture);
}
