using System.Runtime.InteropServices;
using Skiff.Interop;

namespace Skiff.Storage.Tar;

/// <summary>
/// Creates filesystem objects inside one layer directory through *at() calls on directory fds. Every
/// parent is opened with O_NOFOLLOW|O_DIRECTORY starting at the layer root, so a symlink in the layer
/// (even one pointing at "/") is never followed; a symlinked parent is refused.
/// </summary>
internal sealed partial class LayerWriter : IDisposable
{
    private readonly SafeFd _root;
    private readonly UnpackOptions _options;
    private readonly bool _userXattr;

    public LayerWriter(string layerDir, UnpackOptions options)
    {
        _options = options;
        _userXattr = options.UseUserXattr ?? OverlayXattr.UsesUserXattr;
        _root = Libc.OpenFd(layerDir, Libc.O_RDONLY | Libc.O_DIRECTORY);
    }

    public void Dispose() => _root.Dispose();

    /// <summary>Opens the directory that holds <paramref name="path"/>'s last component. Missing parents
    /// are created (0755) when <paramref name="create"/>; a parent that is a symlink or not a directory is refused.</summary>
    private SafeFd OpenParent(string entryName, ReadOnlySpan<string> path, bool create)
        => OpenDirectory(entryName, path[..^1], create);

    private SafeFd OpenDirectory(string entryName, ReadOnlySpan<string> dirs, bool create)
    {
        var current = new SafeFd(_root.Fd, ownsHandle: false);
        for (int i = 0; i < dirs.Length; i++)
        {
            int fd = Libc.OpenAt(current.Fd, dirs[i], Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW);
            if (fd == -1 && Marshal.GetLastPInvokeError() == Errno.ENOENT && create)
            {
                if (Libc.MkdirAt(current.Fd, dirs[i], 0x1ed /* 0755 */) == -1 && Marshal.GetLastPInvokeError() != Errno.EEXIST)
                {
                    current.Dispose();
                    Libc.ThrowErrno($"tar entry \"{entryName}\": mkdir {string.Join('/', dirs[..(i + 1)].ToArray())}");
                }
                fd = Libc.OpenAt(current.Fd, dirs[i], Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW);
            }
            if (fd == -1)
            {
                int errno = Marshal.GetLastPInvokeError();
                current.Dispose();
                string parent = string.Join('/', dirs[..(i + 1)].ToArray());
                if (errno is Errno.ELOOP or Errno.ENOTDIR)
                    throw new LayerUnpackException($"tar entry \"{entryName}\": parent \"{parent}\" is a symlink or not a directory: refused");
                throw new ErrnoException($"tar entry \"{entryName}\": open {parent}", errno);
            }
            current.Dispose();
            current = new SafeFd(fd);
        }
        return current;
    }

    private enum Existing { None, Directory, Other }

    /// <summary>What is at (dir, name) now, without following a symlink.</summary>
    private static Existing ExistingAt(SafeFd dir, string name)
    {
        int fd = Libc.OpenAt(dir.Fd, name, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW);
        if (fd != -1)
        {
            new SafeFd(fd).Dispose();
            return Existing.Directory;
        }
        int errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Errno.ENOENT => Existing.None,
            Errno.ENOTDIR or Errno.ELOOP => Existing.Other,
            _ => throw new ErrnoException($"open {name}", errno),
        };
    }

    /// <summary>Removes whatever is at (dir, name), a whole tree for a directory; never follows symlinks.</summary>
    private static void RemoveAt(SafeFd dir, string name)
    {
        if (Libc.UnlinkAt(dir.Fd, name, 0) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errno.ENOENT) return;
        if (errno is Errno.EISDIR or Errno.EPERM)
        {
            Locking.Trees.RemoveTree(ProcPath(dir, name));
            return;
        }
        throw new ErrnoException($"unlink {name}", errno);
    }

    /// <summary>A path through /proc/self/fd that names (dir, name) without resolving anything but the fd.</summary>
    private static string ProcPath(SafeFd dir, string? name)
        => name is null ? $"/proc/self/fd/{dir.Fd}" : $"/proc/self/fd/{dir.Fd}/{name}";

    private static string Join(ReadOnlySpan<string> path) => string.Join('/', path.ToArray());
}
