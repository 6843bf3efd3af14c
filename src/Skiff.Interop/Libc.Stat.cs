using System.Runtime.InteropServices;

namespace Skiff.Interop;

// statx(2): one struct layout on every architecture.

/// <summary>A file's type and mode bits, owner, group, and for a device node its major and minor.</summary>
public readonly record struct FileStat(uint Mode, uint Uid, uint Gid, uint RdevMajor, uint RdevMinor);

public static partial class Libc
{
    private const int STATX_BASIC_STATS = 0x7ff;

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxRaw(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Type and permission bits, owner and group of <paramref name="path"/>, without following a final symlink; null when it does not exist.</summary>
    public static (uint Mode, uint Uid, uint Gid)? LstatOwner(string path) =>
        Lstat(path) is { } st ? (st.Mode, st.Uid, st.Gid) : null;

    /// <summary>What statx says of <paramref name="path"/> (a final symlink not followed); null when it does not exist.</summary>
    public static unsafe FileStat? Lstat(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (StatxRaw(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) != 0)
        {
            if (Marshal.GetLastPInvokeError() == Errno.ENOENT) return null;
            ThrowErrno($"stat {path}");
        }
        return new FileStat(*(ushort*)(buffer + 28), *(uint*)(buffer + 20), *(uint*)(buffer + 24), *(uint*)(buffer + 128), *(uint*)(buffer + 132));
    }
}

public static partial class Libc
{
    /// <summary>The owner (uid) of <paramref name="path"/>, not following a final symlink.</summary>
    public static uint OwnerOf(string path) =>
        (LstatOwner(path) ?? throw new ErrnoException($"statx {path}", Errno.ENOENT)).Uid;
}
