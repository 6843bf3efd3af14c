using System.Runtime.InteropServices;

namespace Skiff.Interop;

/// <summary>A file's type and mode bits, owner, group, and for a device node its major and minor.</summary>
public readonly record struct FileStat(uint Mode, uint Uid, uint Gid, uint RdevMajor, uint RdevMinor);

// A final symlink not followed: statx (Libc.MountApi.cs) of a path, the common questions.
public static partial class Libc
{
    /// <summary>Type and permission bits, owner and group of <paramref name="path"/>, without following a final symlink; null when it does not exist.</summary>
    public static (uint Mode, uint Uid, uint Gid)? LstatOwner(string path) =>
        Lstat(path) is { } st ? (st.Mode, st.Uid, st.Gid) : null;

    /// <summary>What statx says of <paramref name="path"/> (a final symlink not followed); null when it does not exist.</summary>
    public static FileStat? Lstat(string path)
    {
        if (Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out var st) != 0)
        {
            if (Marshal.GetLastPInvokeError() == Errno.ENOENT) return null;
            ThrowErrno($"stat {path}");
        }
        return new FileStat(st.Mode, st.Uid, st.Gid, st.RdevMajor, st.RdevMinor);
    }

    /// <summary>The owner (uid) of <paramref name="path"/>, not following a final symlink.</summary>
    public static uint OwnerOf(string path) =>
        (Lstat(path) ?? throw new ErrnoException($"statx {path}", Errno.ENOENT)).Uid;
}
