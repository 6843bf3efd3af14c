using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Mounts, the root, device nodes.
public static partial class Libc
{
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16, MS_REMOUNT = 32,
        MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096,
        MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18,
        MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;
    public const int MNT_DETACH = 2;

    [LibraryImport(Name, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fsType, ulong flags, string? data);

    [LibraryImport(Name, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall2(long nr, string a1, string a2);

    /// <summary>pivot_root(2), which glibc does not wrap.</summary>
    public static int PivotRoot(string newRoot, string putOld) =>
        (int)Syscall2(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 41 : 155, newRoot, putOld);

    [LibraryImport(Name, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mknod(string path, uint mode, ulong dev);

    /// <summary>makedev(3) of glibc.</summary>
    public static ulong MakeDev(long major, long minor) =>
        (((ulong)major & 0xfffff000UL) << 32) | (((ulong)major & 0xfffUL) << 8) |
        (((ulong)minor & 0xffffff00UL) << 12) | ((ulong)minor & 0xffUL);

    [LibraryImport(Name, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkfifo(string path, uint mode);

    [LibraryImport(Name, EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chdir(string path);

    [LibraryImport(Name, EntryPoint = "sethostname", SetLastError = true)]
    private static unsafe partial int SetHostnameRaw(byte* name, nint len);

    [LibraryImport(Name, EntryPoint = "setdomainname", SetLastError = true)]
    private static unsafe partial int SetDomainnameRaw(byte* name, nint len);

    public static unsafe int SetHostname(string name)
    {
        byte[] b = System.Text.Encoding.UTF8.GetBytes(name);
        fixed (byte* p = b) return SetHostnameRaw(p, b.Length);
    }

    public static unsafe int SetDomainname(string name)
    {
        byte[] b = System.Text.Encoding.UTF8.GetBytes(name);
        fixed (byte* p = b) return SetDomainnameRaw(p, b.Length);
    }

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode = 0);

    [LibraryImport(Name, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    public const int X_OK = 1;

    [LibraryImport(Name, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    [LibraryImport(Name, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint uid, uint gid);
}

public static partial class Libc
{
    public const ulong ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8, ST_NOATIME = 1024, ST_NODIRATIME = 2048, ST_RELATIME = 4096;

    [LibraryImport(Name, EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatvfsRaw(string path, ulong* buf);

    /// <summary>The f_flag of statvfs(3) for <paramref name="path"/> (ST_* bits).</summary>
    public static unsafe ulong MountFlagsOf(string path)
    {
        ulong* buf = stackalloc ulong[16]; // struct statvfs: 11 words then spare; f_flag is the 10th word on 64-bit glibc
        Check(StatvfsRaw(path, buf), $"statvfs {path}");
        return buf[9];
    }
}
