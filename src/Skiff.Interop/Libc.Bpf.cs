using System.Runtime.InteropServices;

namespace Skiff.Interop;

// bpf(2) for cgroup device programs: load a BPF_PROG_TYPE_CGROUP_DEVICE program, attach it to a
// cgroup v2 directory (BPF_F_ALLOW_MULTI), list and detach the programs attached there.
public static partial class Libc
{
    public const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9, BPF_PROG_GET_FD_BY_ID = 13, BPF_PROG_QUERY = 16;
    public const uint BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;

    private static long BpfSyscallNumber => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 280 : 321;

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long SyscallBpf(long nr, long cmd, byte* attr, long size);

    // union bpf_attr is large; 128 zeroed bytes cover every command used here (the kernel checks the
    // bytes past the fields it knows are zero).
    private const int AttrSize = 128;

    private static unsafe long Bpf(int cmd, byte* attr) => SyscallBpf(BpfSyscallNumber, cmd, attr, AttrSize);

    /// <summary>
    /// Loads a cgroup device program (8-byte eBPF instructions) and returns its fd. On failure the
    /// verifier's log, when there is one, is part of the error.
    /// </summary>
    public static unsafe SafeFd BpfLoadCgroupDeviceProgram(ReadOnlySpan<byte> instructions, string license)
    {
        if (instructions.Length % 8 != 0) throw new ArgumentException("eBPF instructions are 8 bytes each", nameof(instructions));
        byte[] lic = System.Text.Encoding.ASCII.GetBytes(license + "\0");
        byte[] log = new byte[64 * 1024];
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        fixed (byte* insns = instructions)
        fixed (byte* licp = lic)
        fixed (byte* logp = log)
        {
            *(uint*)(attr + 0) = BPF_PROG_TYPE_CGROUP_DEVICE;
            *(uint*)(attr + 4) = (uint)(instructions.Length / 8);
            *(ulong*)(attr + 8) = (ulong)insns;
            *(ulong*)(attr + 16) = (ulong)licp;
            long fd = Bpf(BPF_PROG_LOAD, attr);
            if (fd >= 0) return new SafeFd((int)fd);
            int errno = Marshal.GetLastPInvokeError();
            // Load again with the verifier's log to say why.
            *(uint*)(attr + 24) = 1; // log_level
            *(uint*)(attr + 28) = (uint)log.Length;
            *(ulong*)(attr + 32) = (ulong)logp;
            fd = Bpf(BPF_PROG_LOAD, attr);
            if (fd >= 0) return new SafeFd((int)fd);
            int end = Array.IndexOf(log, (byte)0);
            string text = System.Text.Encoding.ASCII.GetString(log, 0, end < 0 ? log.Length : end).Trim().Replace('\n', ' ');
            throw new ErrnoException(text.Length > 0 ? $"bpf(BPF_PROG_LOAD) of the device filter ({text})" : "bpf(BPF_PROG_LOAD) of the device filter", errno);
        }
    }

    /// <summary>Attaches a loaded device program to the cgroup directory <paramref name="cgroupFd"/> with BPF_F_ALLOW_MULTI.</summary>
    public static unsafe void BpfAttachDeviceProgram(int cgroupFd, int programFd)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = BPF_CGROUP_DEVICE;
        *(uint*)(attr + 12) = BPF_F_ALLOW_MULTI;
        if (Bpf(BPF_PROG_ATTACH, attr) < 0) ThrowErrno("bpf(BPF_PROG_ATTACH) of the device filter");
    }

    /// <summary>Detaches one device program from a cgroup.</summary>
    public static unsafe void BpfDetachDeviceProgram(int cgroupFd, int programFd)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = BPF_CGROUP_DEVICE;
        if (Bpf(BPF_PROG_DETACH, attr) < 0) ThrowErrno("bpf(BPF_PROG_DETACH) of a device filter");
    }

    /// <summary>The ids of the device programs attached to the cgroup itself (not inherited).</summary>
    public static unsafe uint[] BpfQueryDevicePrograms(int cgroupFd)
    {
        uint* ids = stackalloc uint[64];
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = BPF_CGROUP_DEVICE;
        *(ulong*)(attr + 16) = (ulong)ids;
        *(uint*)(attr + 24) = 64;
        if (Bpf(BPF_PROG_QUERY, attr) < 0) ThrowErrno("bpf(BPF_PROG_QUERY) of the device filters");
        uint count = Math.Min(*(uint*)(attr + 24), 64u);
        var result = new uint[count];
        for (int i = 0; i < count; i++) result[i] = ids[i];
        return result;
    }

    /// <summary>An fd for the program with this id.</summary>
    public static unsafe SafeFd BpfProgramFromId(uint id)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = id;
        long fd = Bpf(BPF_PROG_GET_FD_BY_ID, attr);
        if (fd < 0) ThrowErrno($"bpf(BPF_PROG_GET_FD_BY_ID {id})");
        return new SafeFd((int)fd);
    }
}
