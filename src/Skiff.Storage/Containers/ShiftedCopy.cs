using Skiff.Interop;

namespace Skiff.Storage;

/// <summary>
/// A copy of a directory tree whose every owner and group goes through a map: how a container with a user namespace of
/// its own (keep-id) gets an image whose files show with their image owners (a file of root shows as root) where the
/// kernel cannot id-map the mount (overlayfs, and the host's filesystem for a rootless user). Types, modes (setuid
/// included), times, symlinks and hard links are kept; device nodes the caller may not make and sockets are left out,
/// and so are extended attributes (file capabilities name the root of the namespace that set them).
/// </summary>
public static class ShiftedCopy
{
    private const uint StatxBasic = 0x7ff;

    public static void Copy(string source, string target, Func<uint, uint> mapUid, Func<uint, uint> mapGid)
    {
        ArgumentNullException.ThrowIfNull(mapUid);
        ArgumentNullException.ThrowIfNull(mapGid);
        var links = new Dictionary<(uint, uint, ulong), string>();
        CopyDirectory(source, target, mapUid, mapGid, links);
    }

    private static Libc.StatxResult Stat(string path)
    {
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, StatxBasic, out var st) != 0) Libc.ThrowErrno($"stat {path}");
        return st;
    }

    private static void CopyDirectory(string source, string target, Func<uint, uint> mapUid, Func<uint, uint> mapGid, Dictionary<(uint, uint, ulong), string> links)
    {
        var st = Stat(source);
        if (!Directory.Exists(target)) Libc.Check(Libc.MkdirAt(Libc.AT_FDCWD, target, 0x1c0), $"mkdir {target}");
        foreach (string entry in Directory.EnumerateFileSystemEntries(source))
        {
            string name = Path.GetFileName(entry), to = Path.Combine(target, name);
            var s = Stat(entry);
            uint type = s.Mode & Libc.S_IFMT;
            if (type == Libc.S_IFDIR) { CopyDirectory(entry, to, mapUid, mapGid, links); continue; }
            var key = (s.DevMajor << 20 | s.DevMinor, 0u, s.Ino);
            if (links.TryGetValue(key, out string? first))
            {
                Libc.Check(Libc.LinkAt(Libc.AT_FDCWD, first, Libc.AT_FDCWD, to, 0), $"link {to}");
                continue;
            }
            if (type == Libc.S_IFREG)
            {
                File.Copy(entry, to);
            }
            else if (type == Libc.S_IFLNK)
            {
                string link = new FileInfo(entry).LinkTarget ?? throw new IOException($"readlink {entry}");
                Libc.Check(Libc.SymlinkAt(link, Libc.AT_FDCWD, to), $"symlink {to}");
            }
            else if (type is Libc.S_IFIFO or Libc.S_IFCHR or Libc.S_IFBLK)
            {
                ulong dev = ((ulong)s.RdevMajor << 8) | s.RdevMinor;
                if (Libc.MknodAt(Libc.AT_FDCWD, to, s.Mode, dev) != 0)
                {
                    if (type == Libc.S_IFIFO) Libc.ThrowErrno($"mknod {to}");
                    continue; // a device node this user may not make (podman's rootless copies lack them too)
                }
            }
            else continue; // a socket: nothing to copy
            Own(to, s, mapUid, mapGid, type != Libc.S_IFLNK);
            links[key] = to;
        }
        Own(target, st, mapUid, mapGid, true);
    }

    /// <summary>Owner and group through the maps, then the mode (chown clears setuid and setgid), then the times.</summary>
    private static void Own(string path, Libc.StatxResult st, Func<uint, uint> mapUid, Func<uint, uint> mapGid, bool chmod)
    {
        Libc.Check(Libc.FchownAt(Libc.AT_FDCWD, path, (int)mapUid(st.Uid), (int)mapGid(st.Gid), Libc.AT_SYMLINK_NOFOLLOW), $"chown {path}");
        if (chmod) Libc.Check(Libc.FchmodAt(Libc.AT_FDCWD, path, st.Mode & 0xfff, 0), $"chmod {path}");
        ReadOnlySpan<Libc.Timespec> times =
        [
            new Libc.Timespec { Sec = st.AtimeSec, Nsec = st.AtimeNsec },
            new Libc.Timespec { Sec = st.MtimeSec, Nsec = st.MtimeNsec },
        ];
        Libc.Check(Libc.UtimensAt(Libc.AT_FDCWD, path, times, Libc.AT_SYMLINK_NOFOLLOW), $"set times of {path}");
    }
}
