using System.Formats.Tar;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Skiff.Interop;
using Xattrs = System.Collections.Generic.IReadOnlyList<System.Collections.Generic.KeyValuePair<string, byte[]>>;

namespace Skiff.Storage.Tar;

internal sealed partial class LayerWriter
{
    /// <summary>Directories whose mode and mtime wait until their content is written.</summary>
    private readonly Dictionary<string, (string[] Path, TarEntry Entry)> _pendingDirs = new(StringComparer.Ordinal);

    public void RootDirectory(TarEntry entry) => _pendingDirs[""] = ([], entry);

    public void Directory(TarEntry entry, string[] path, Xattrs xattrs)
    {
        using var parent = OpenParent(entry.Name, path, create: true);
        string leaf = path[^1];
        var existing = ExistingAt(parent, leaf);
        if (existing == Existing.Other) RemoveAt(parent, leaf);
        if (existing != Existing.Directory)
            Check(Libc.MkdirAt(parent.Fd, leaf, 0x1c0 /* 0700 until finished */), entry, "mkdir");
        using var dir = OpenDirectory(entry.Name, path, create: false);
        Chown(entry, () => Libc.Fchown(dir.Fd, entry.Uid, entry.Gid));
        SetXattrs(entry, xattrs, dir, null);
        _pendingDirs[Join(path)] = (path, entry);
    }

    public void RegularFile(TarEntry entry, string[] path, Xattrs xattrs)
    {
        using var parent = OpenParent(entry.Name, path, create: true);
        string leaf = path[^1];
        if (ExistingAt(parent, leaf) != Existing.None) RemoveAt(parent, leaf);
        int fd = Libc.OpenAt(parent.Fd, leaf, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW, 0x180);
        Check(fd, entry, "create");
        using (var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true))
        {
            if (entry.DataStream is { } data) CopyData(data, handle);
            Chown(entry, () => Libc.Fchown(fd, entry.Uid, entry.Gid));
            Check(Libc.Fchmod(fd, (uint)entry.Mode), entry, "chmod");
            using var fdView = new SafeFd(fd, ownsHandle: false);
            SetXattrs(entry, xattrs, fdView, null);
            Check(Libc.Futimens(fd, Times(entry)), entry, "set times of");
        }
    }

    private static void CopyData(Stream data, SafeFileHandle file)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            long offset = 0;
            int n;
            while ((n = data.Read(buffer, 0, buffer.Length)) > 0)
            {
                RandomAccess.Write(file, buffer.AsSpan(0, n), offset);
                offset += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Symlink(TarEntry entry, string[] path, Xattrs xattrs)
    {
        if (entry.LinkName.Length == 0 || entry.LinkName.Contains('\0', StringComparison.Ordinal))
            throw new LayerUnpackException($"tar entry \"{entry.Name}\": invalid symlink target");
        using var parent = OpenParent(entry.Name, path, create: true);
        string leaf = path[^1];
        if (ExistingAt(parent, leaf) != Existing.None) RemoveAt(parent, leaf);
        // The target is stored as written (it may be absolute): it is only ever resolved inside the container.
        Check(Libc.SymlinkAt(entry.LinkName, parent.Fd, leaf), entry, "symlink");
        Chown(entry, () => Libc.FchownAt(parent.Fd, leaf, entry.Uid, entry.Gid, Libc.AT_SYMLINK_NOFOLLOW));
        SetXattrs(entry, xattrs, parent, leaf);
        Check(Libc.UtimensAt(parent.Fd, leaf, Times(entry), Libc.AT_SYMLINK_NOFOLLOW), entry, "set times of");
    }

    public void HardLink(TarEntry entry, string[] path, string[] target)
    {
        if (target.Length == 0)
            throw new LayerUnpackException($"tar entry \"{entry.Name}\": hardlink to the layer root");
        SafeFd found;
        try { found = OpenParent(entry.Name, target, create: false); }
        catch (ErrnoException e) when (e.Errno is Errno.ENOENT)
        {
            throw new LayerUnpackException($"tar entry \"{entry.Name}\": hardlink target \"{entry.LinkName}\" is not a file in this layer", e);
        }
        using var targetParent = found;
        string targetLeaf = target[^1];
        if (ExistingAt(targetParent, targetLeaf) != Existing.Other)
            throw new LayerUnpackException($"tar entry \"{entry.Name}\": hardlink target \"{entry.LinkName}\" is not a file in this layer");
        using var parent = OpenParent(entry.Name, path, create: true);
        string leaf = path[^1];
        if (Join(path) == Join(target)) return;
        if (ExistingAt(parent, leaf) != Existing.None) RemoveAt(parent, leaf);
        // flags 0: a symlink target is linked itself, never followed.
        Check(Libc.LinkAt(targetParent.Fd, targetLeaf, parent.Fd, leaf, 0), entry, "hardlink");
    }

    /// <summary>Character and block devices, fifos. Devices are skipped where mknod is not permitted (rootless).</summary>
    public void Node(TarEntry entry, string[] path, Xattrs xattrs)
    {
        using var parent = OpenParent(entry.Name, path, create: true);
        string leaf = path[^1];
        if (ExistingAt(parent, leaf) != Existing.None) RemoveAt(parent, leaf);
        uint type = entry.EntryType switch
        {
            TarEntryType.CharacterDevice => Libc.S_IFCHR,
            TarEntryType.BlockDevice => Libc.S_IFBLK,
            _ => Libc.S_IFIFO,
        };
        ulong dev = 0;
        if (entry is PosixTarEntry posix && type != Libc.S_IFIFO)
            dev = Libc.MakeDev((uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
        if (Libc.MknodAt(parent.Fd, leaf, type | 0x180, dev) == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EPERM && type != Libc.S_IFIFO) return;
            throw new ErrnoException($"tar entry \"{entry.Name}\": mknod", errno);
        }
        Chown(entry, () => Libc.FchownAt(parent.Fd, leaf, entry.Uid, entry.Gid, Libc.AT_SYMLINK_NOFOLLOW));
        Check(Libc.FchmodAt(parent.Fd, leaf, (uint)entry.Mode, 0), entry, "chmod");
        SetXattrs(entry, xattrs, parent, leaf);
        Check(Libc.UtimensAt(parent.Fd, leaf, Times(entry), Libc.AT_SYMLINK_NOFOLLOW), entry, "set times of");
    }

    /// <summary>
    /// ".wh.NAME": an overlay whiteout, a character device 0:0 named NAME. A whiteout applies to lower layers
    /// only (image-spec layer.md): a NAME this same layer already holds stays, and hides the lower one anyway.
    /// </summary>
    public void Whiteout(string entryName, string[] hidden)
    {
        using var parent = OpenParent(entryName, hidden, create: true);
        string leaf = hidden[^1];
        if (ExistingAt(parent, leaf) != Existing.None) return;
        if (Libc.MknodAt(parent.Fd, leaf, Libc.S_IFCHR, 0) == -1)
            Libc.ThrowErrno($"tar entry \"{entryName}\": create whiteout {Join(hidden)} (mknod 0:0)");
    }

    /// <summary>".wh..wh..opq" in D: D hides everything below it in lower layers.</summary>
    public void Opaque(string entryName, string[] dir)
    {
        using var fd = OpenDirectory(entryName, dir, create: true);
        string name = OverlayXattr.OpaqueName(_userXattr);
        if (Libc.Fsetxattr(fd.Fd, name, "y"u8, 1, 0) == -1)
            Libc.ThrowErrno($"tar entry \"{entryName}\": set {name} on \"{Join(dir)}\"");
    }

    /// <summary>Applies the deferred directory modes and mtimes, deepest first, so a read-only directory
    /// never blocked its own content.</summary>
    public void FinishDirectories()
    {
        foreach (var (path, entry) in _pendingDirs.Values.OrderByDescending(p => p.Path.Length))
        {
            SafeFd dir;
            try { dir = OpenDirectory(entry.Name, path, create: false); }
            catch (LayerUnpackException) { continue; } // replaced by a non-directory later in the tar
            catch (ErrnoException) { continue; }
            using (dir)
            {
                Check(Libc.Fchmod(dir.Fd, (uint)entry.Mode), entry, "chmod");
                Check(Libc.Futimens(dir.Fd, Times(entry)), entry, "set times of");
            }
        }
    }

    private static void Check(int result, TarEntry entry, string what)
    {
        if (result == -1) Libc.ThrowErrno($"tar entry \"{entry.Name}\": {what}");
    }
}
