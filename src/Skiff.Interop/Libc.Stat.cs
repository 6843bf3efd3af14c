using System.Runtime.InteropServices;

namespace Skiff.Interop;

// statx(2): one struct layout on every architecture.
public static partial class Libc
{
    private const int STATX_BASIC_STATS = 0x7ff;

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxRaw(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Type and permission bits, owner and group of <paramref name="path"/>, without following a final symlink; null when it does not exist.</summary>
    public static unsafe (uint Mode, uint Uid, uint Gid)? LstatOwner(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (StatxRaw(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) != 0)
        {
            if (Marshal.GetLastPInvokeError() == Errno.ENOENT) return null;
            ThrowErrno($"stat {path}");
        }
        return (*(ushort*)(buffer + 28), *(uint*)(buffer + 20), *(uint*)(buffer + 24));
    }
}

public static partial class Libc
{
    /// <summary>The owner (uid) of <paramref name="path"/>, not following a final symlink.</summary>
    public static uint OwnerOf(string path) =>
        (LstatOwner(path) ?? throw new ErrnoException($"statx {path}", Errno.ENOENT)).Uid;
}
