namespace Skiff.Storage.Locking;

/// <summary>Removing directory trees so that a kill midway never leaves something that looks complete.</summary>
public static class Trees
{
    /// <summary>rm -rf, also of read-only directories; a missing path is fine (another process may be
    /// removing the same tree). Never follows symlinks.</summary>
    public static void RemoveTree(string path)
    {
        FileAttributes attrs;
        try { attrs = File.GetAttributes(path); }
        catch (FileNotFoundException) { return; }
        catch (DirectoryNotFoundException) { return; }
        if ((attrs & FileAttributes.Directory) == 0 || (attrs & FileAttributes.ReparsePoint) != 0)
        {
            File.Delete(path);
            return;
        }
        try
        {
            MakeWritable(path);
            foreach (string entry in Directory.EnumerateFileSystemEntries(path))
                RemoveTree(entry);
            Directory.Delete(path);
        }
        catch (DirectoryNotFoundException) { }
        catch (FileNotFoundException) { }
    }

    /// <summary>Renames <paramref name="path"/> to a "tmp-delete" sibling, then removes that: a kill midway
    /// leaves only a tmp-* name, never a half-removed tree under its real name.</summary>
    public static void RenameThenRemove(string path)
    {
        if (!Directory.Exists(path)) return;
        string parent = Path.GetDirectoryName(path)!;
        string doomed = Path.Combine(parent, LockedTempDir.Prefix + "delete-" + Guid.NewGuid().ToString("N"));
        // Locked before the rename, so that a sweep of stale tmp-* directories leaves it to us.
        using (FileLock.AcquireExclusive(path))
        {
            Directory.Move(path, doomed);
            RemoveTree(doomed);
        }
    }

    /// <summary>u+rwx so the content can be listed and unlinked (the tree is going away anyway).</summary>
    private static void MakeWritable(string dir) => _ = Skiff.Interop.Libc.FchmodAt(Skiff.Interop.Libc.AT_FDCWD, dir, 0x1c0, 0);
}
