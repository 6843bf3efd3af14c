using Skiff.Interop;
using Skiff.Storage.Locking;
using Skiff.Storage.Tar;

namespace Skiff.Storage;

/// <summary>The writable directories of one container's overlay: upper (its changes), work (overlay's
/// scratch space), merged (the mount point).</summary>
public sealed record ContainerLayerPaths(string Dir, string Upper, string Work, string Merged);

/// <summary>Per-container overlay layers under GRAPHROOT/containers/ID/{upper,work,merged}.</summary>
public sealed class ContainerLayerStore
{
    /// <summary>The longest overlay lowerdir option accepted (mount data is one page).</summary>
    public const int MaxLowerDirLength = 4096;

    public ContainerLayerStore(string graphRoot) => GraphRoot = Path.GetFullPath(graphRoot);

    public string GraphRoot { get; }

    private string ContainersDir => Path.Combine(GraphRoot, "containers");

    public ContainerLayerPaths PathsOf(string id)
    {
        CheckId(id);
        string dir = Path.Combine(ContainersDir, id);
        return new ContainerLayerPaths(dir, Path.Combine(dir, "upper"), Path.Combine(dir, "work"), Path.Combine(dir, "merged"));
    }

    /// <summary>Creates the container's upper, work and merged directories (built under a tmp-* name and
    /// renamed into place). Returns the existing ones when already created.</summary>
    public ContainerLayerPaths Create(string id)
    {
        var paths = PathsOf(id);
        if (Directory.Exists(paths.Dir)) return paths;
        Directory.CreateDirectory(ContainersDir);
        using var tmp = LockedTempDir.Create(ContainersDir);
        foreach (string sub in new[] { "upper", "work", "merged" })
            Directory.CreateDirectory(Path.Combine(tmp.Path, sub));
        Libc.Check(Libc.FchmodAt(Libc.AT_FDCWD, tmp.Path, 0x1c0 /* 0700 */, 0), $"chmod {tmp.Path}");
        try
        {
            Directory.Move(tmp.Path, paths.Dir);
            tmp.Keep();
        }
        catch (IOException) when (Directory.Exists(paths.Dir))
        {
            // created concurrently: use theirs
        }
        AtomicFile.FsyncDirectory(ContainersDir);
        return paths;
    }

    /// <summary>Removes the container's directories (renamed to tmp-delete-* first). The caller unmounts first.</summary>
    public void Remove(string id)
    {
        var paths = PathsOf(id);
        if (IsMountPoint(paths.Merged))
            throw new InvalidOperationException($"container {id}: {paths.Merged} is still mounted, unmount it first");
        Trees.RenameThenRemove(paths.Dir);
    }

    /// <summary>True when <paramref name="path"/> is a mount point in this mount namespace.</summary>
    public static bool IsMountPoint(string path)
    {
        string full = Path.GetFullPath(path);
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && UnescapeMountinfo(fields[4]) == full) return true;
        }
        return false;
    }

    private static string UnescapeMountinfo(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(field[i]);
        }
        return sb.ToString();
    }

    /// <summary>Removes tmp-* directories left by killed processes.</summary>
    public void SweepStale() => LockedTempDir.SweepStale(ContainersDir);

    /// <summary>The overlay mount data "lowerdir=TOP:...:BOTTOM,upperdir=U,workdir=W[,userxattr]".</summary>
    public string OverlayMountOptions(IReadOnlyList<string> lowerDirsTopFirst, string upper, string work)
        => WithXattr($"lowerdir={LowerDirs(lowerDirsTopFirst, upper, work)},upperdir={upper},workdir={work}");

    /// <summary>"TOP:...:BOTTOM" for lowerdir=, every directory (and <paramref name="others"/> in the same mount) checked for the separators.</summary>
    private static string LowerDirs(IReadOnlyList<string> lowerDirsTopFirst, params string[] others)
    {
        if (lowerDirsTopFirst.Count == 0) throw new ArgumentException("overlay needs at least one lower directory", nameof(lowerDirsTopFirst));
        foreach (string dir in lowerDirsTopFirst.Concat(others))
            if (dir.IndexOfAny([':', ',', '\0']) >= 0)
                throw new ArgumentException($"overlay directory \"{dir}\": contains ':' or ','", nameof(lowerDirsTopFirst));
        string lower = string.Join(':', lowerDirsTopFirst);
        if (lower.Length > MaxLowerDirLength)
            throw new InvalidOperationException($"overlay lowerdir is {lower.Length} bytes ({lowerDirsTopFirst.Count} layers), more than the {MaxLowerDirLength} a mount accepts");
        return lower;
    }

    private static string WithXattr(string data) => OverlayXattr.UsesUserXattr ? data + ",userxattr" : data;

    /// <summary>
    /// The container's own copy of its image with every owner shifted (<see cref="ShiftedCopy"/>), at DIR/mapped, made once:
    /// the image's layers are mounted read-only at DIR/image, copied to DIR/mapped.tmp, unmounted, and the copy renamed into
    /// place; the upper directory takes the copy's root owner and mode (the merged root shows the upper's). Returns the copy.
    /// </summary>
    public string MapImage(ContainerLayerPaths layer, IReadOnlyList<string> lowerDirsTopFirst, Func<uint, uint> mapUid, Func<uint, uint> mapGid)
    {
        ArgumentNullException.ThrowIfNull(layer);
        string mapped = Path.Combine(layer.Dir, "mapped");
        if (Directory.Exists(mapped)) return mapped;
        string image = Path.Combine(layer.Dir, "image"), empty = Path.Combine(layer.Dir, "empty"), tmp = mapped + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true); // left by a killed create
        Directory.CreateDirectory(image);
        Directory.CreateDirectory(empty);
        // Without an upper directory overlayfs is read-only and wants two lower ones: the empty one is the second.
        Libc.MountOverlay(image, WithXattr($"lowerdir={LowerDirs([.. lowerDirsTopFirst, empty])}"));
        try { ShiftedCopy.Copy(image, tmp, mapUid, mapGid); }
        finally { Libc.UnmountDetach(image); }
        var root = Libc.Lstat(tmp) ?? throw new IOException($"{tmp} vanished");
        Libc.Check(Libc.FchownAt(Libc.AT_FDCWD, layer.Upper, (int)root.Uid, (int)root.Gid, Libc.AT_SYMLINK_NOFOLLOW), $"chown {layer.Upper}");
        Libc.Check(Libc.FchmodAt(Libc.AT_FDCWD, layer.Upper, root.Mode & 0xfff, 0), $"chmod {layer.Upper}");
        Directory.Move(tmp, mapped);
        return mapped;
    }

    /// <summary>mount -t overlay overlay TARGET -o OPTIONS.</summary>
    public void Mount(string target, string options) => Libc.MountOverlay(target, options);

    /// <summary>Detaches the overlay at TARGET.</summary>
    public void Unmount(string target) => Libc.UnmountDetach(target);

    private static void CheckId(string id)
    {
        if (id.Length is 0 or > 128 || id is "." or ".." || id.StartsWith(LockedTempDir.Prefix, StringComparison.Ordinal)
            || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new ArgumentException($"container id \"{id}\": invalid", nameof(id));
    }
}
