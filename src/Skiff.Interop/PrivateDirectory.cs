namespace Skiff.Interop;

/// <summary>
/// A directory in a shared place (/tmp) that must be ours alone: run state, sockets. Another user may have
/// made the name first, as a directory or as a symlink to somewhere else; either way it is refused, never
/// followed or chmod'ed.
/// </summary>
public static class PrivateDirectory
{
    /// <summary>Creates <paramref name="path"/> (0700) or checks the existing one: a real directory, owned by us, closed to others.</summary>
    public static void Ensure(string path)
    {
        uint uid = Libc.GetEUid();
        if (Libc.MkdirAt(Libc.AT_FDCWD, path, 0x1c0) == 0) return;
        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno != Errno.EEXIST) throw new ErrnoException($"creating {path}", errno);
        var st = Libc.LstatOwner(path) ?? throw new IOException($"{path} vanished while it was being checked");
        if ((st.Mode & Libc.S_IFMT) == Libc.S_IFLNK)
            throw new UnauthorizedAccessException($"{path} is a symbolic link, not a directory: remove it (someone may have planted it), or set XDG_RUNTIME_DIR to a directory of yours");
        if ((st.Mode & Libc.S_IFMT) != Libc.S_IFDIR)
            throw new UnauthorizedAccessException($"{path} is not a directory: remove it, or set XDG_RUNTIME_DIR to a directory of yours");
        if (st.Uid != uid)
            throw new UnauthorizedAccessException($"{path} belongs to uid {st.Uid}, not to you (uid {uid}): remove it, or set XDG_RUNTIME_DIR to a directory of yours");
        if ((st.Mode & 0x3f) != 0)
            throw new UnauthorizedAccessException($"{path} is open to other users (mode {Convert.ToString(st.Mode & 0xfff, 8)}): make it 0700, or remove it");
    }
}
