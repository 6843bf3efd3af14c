using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Anonymous memory (the launch routine's executable page) and sealed memory files (the runtime's own copy).
public static partial class Libc
{
    public const int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    private const int MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;

    [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
    private static partial nint MmapRaw(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Name, EntryPoint = "mprotect", SetLastError = true)]
    public static partial int Mprotect(nint addr, nuint length, int prot);

    /// <summary>A private anonymous mapping (never unmapped: the launch routine lives as long as the process).</summary>
    public static nint MapAnonymous(nuint length, int prot)
    {
        nint p = MmapRaw(0, length, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == -1) ThrowErrno("mmap");
        return p;
    }

    /// <summary>malloc_trim(3): gives the C heap's free pages back to the kernel (a long-lived process after its start-up).</summary>
    [LibraryImport(Name, EntryPoint = "malloc_trim")]
    public static partial int MallocTrim(nuint pad);

    public const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_EXEC = 0x10;
    public const int F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
    public const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8, F_SEAL_EXEC = 0x20;

    [LibraryImport(Name, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport(Name, EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, nint offset, nuint count);
}
