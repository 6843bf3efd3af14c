using Skiff.Engine.Containers;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Storage.Tar;

namespace Skiff.Engine.Volumes;

/// <summary>One mount of a container, with the volume it names (an anonymous one gets its name here).</summary>
public sealed record PlannedMount(MountRequest Request, string? Volume, bool Anonymous);

/// <summary>
/// The container side of volumes: <see cref="Plan"/> checks the user's mounts before anything is created (podman's
/// errors for a missing bind source or a bad volume name), <see cref="Prepare"/> makes them real once the container's
/// root is mounted (volumes created when missing, the image's content copied into a new one, U, O) and returns the
/// OCI mounts. The runtime resolves each destination inside the container's root.
/// </summary>
public sealed class ContainerVolumes(VolumeService volumes)
{
    public static List<PlannedMount> Plan(IReadOnlyList<MountRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var plan = new List<PlannedMount>();
        foreach (var r in requests)
        {
            switch (r.Kind)
            {
                case MountKind.Bind:
                    if (!File.Exists(r.Source) && !Directory.Exists(r.Source))
                        throw new EngineException($"statfs {r.Source}: no such file or directory");
                    plan.Add(new PlannedMount(r, null, false));
                    break;
                case MountKind.Volume when r.Source is null:
                    plan.Add(new PlannedMount(r, VolumeService.NewAnonymousName(), true));
                    break;
                case MountKind.Volume:
                    if (!VolumeService.IsValidName(r.Source))
                        throw new EngineException($"creating named volume \"{r.Source}\": running volume create option: {VolumeService.NameRule}: invalid argument");
                    plan.Add(new PlannedMount(r, r.Source, false));
                    break;
                default:
                    plan.Add(new PlannedMount(r, null, false));
                    break;
            }
        }
        return plan;
    }

    /// <summary>
    /// Creates what the mounts need and returns them as OCI mounts, parents before children. <paramref name="rootfs"/>
    /// is the container's mounted root (for copy-up), <paramref name="overlayDir"/> a directory of the container's
    /// own for the upper layers of O mounts.
    /// </summary>
    public List<Mount> Prepare(IReadOnlyList<PlannedMount> plan, string rootfs, ContainerUser user, string overlayDir)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(user);
        var mounts = new List<(string Clean, Mount Mount)>();
        int index = 0;
        foreach (var p in plan)
        {
            var r = p.Request;
            Mount m = r.Kind switch
            {
                MountKind.Tmpfs => Tmpfs(r),
                MountKind.Bind => Bind(r, r.Source!, user, overlayDir, index),
                _ => Volume(p, rootfs, user, overlayDir, index),
            };
            mounts.Add((r.CleanDestination, m));
            index++;
        }
        // A parent before what is mounted inside it (stable: equal depths keep the user's order).
        return [.. mounts.OrderBy(m => m.Clean == "/" ? 0 : m.Clean.Count(c => c == '/')).Select(m => m.Mount)];
    }

    private static Mount Tmpfs(MountRequest r)
    {
        var options = new List<string> { r.ReadOnly ? "ro" : "rw" };
        if (!r.Options.Any(IsPropagation)) options.Add("rprivate");
        if (!r.Options.Contains("suid")) options.Add("nosuid");
        if (!r.Options.Contains("dev")) options.Add("nodev");
        if (!r.Options.Contains("notmpcopyup") && !r.Options.Contains("tmpcopyup")) options.Add("tmpcopyup");
        options.AddRange(r.Options);
        return new Mount { Destination = r.Destination, Type = "tmpfs", Source = "tmpfs", Options = options };
    }

    private static Mount Bind(MountRequest r, string source, ContainerUser user, string overlayDir, int index, bool volumeDefaults = false)
    {
        if (r.Chown) ChownTree(source, user.Uid, user.Gid);
        if (r.Overlay) return Overlay(r, source, overlayDir, index);
        var options = new List<string> { r.Recursive ? "rbind" : "bind" };
        if (!r.Options.Any(IsPropagation)) options.Add("rprivate");
        if (volumeDefaults)
        {
            if (!r.Options.Contains("suid")) options.Add("nosuid");
            if (!r.Options.Contains("dev")) options.Add("nodev");
        }
        if (r.ReadOnly) options.Add("ro");
        options.AddRange(r.Options);
        return new Mount { Destination = r.Destination, Type = "bind", Source = source, Options = options };
    }

    /// <summary>O: an overlay with the source as its lower layer; the changes go to an upper layer of the container's, emptied now.</summary>
    private static Mount Overlay(MountRequest r, string source, string overlayDir, int index)
    {
        if (!Directory.Exists(source)) throw new EngineException($"overlay mount of {source}: not a directory");
        string dir = Path.Combine(overlayDir, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        string upper = Path.Combine(dir, "upper"), work = Path.Combine(dir, "work");
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        foreach (string d in new[] { source, upper, work })
            if (d.IndexOfAny([':', ',']) >= 0) throw new EngineException($"overlay mount of {source}: the path contains ':' or ','");
        var options = new List<string> { $"lowerdir={source}", $"upperdir={upper}", $"workdir={work}" };
        if (OverlayXattr.UsesUserXattr) options.Add("userxattr");
        options.Add("rprivate");
        return new Mount { Destination = r.Destination, Type = "overlay", Source = "overlay", Options = options };
    }

    private Mount Volume(PlannedMount p, string rootfs, ContainerUser user, string overlayDir, int index)
    {
        var r = p.Request;
        string name = p.Volume!;
        var volume = p.Anonymous
            ? volumes.Create(new VolumeCreateOptions { Name = name }, anonymous: true)
            : volumes.Create(new VolumeCreateOptions { Name = name, IgnoreIfExists = true });
        if (volume.HasMountOptions) return FromOptions(r, volume);
        if (volume.NeedsCopyUp || volume.NeedsChown)
        {
            // Once, under the volumes' lock: two containers created at once with a new volume copy into it once.
            using var l = volumes.Lock();
            var current = volumes.Get(name);
            if (current.NeedsCopyUp || current.NeedsChown)
            {
                FirstMount(current, rootfs, r, user);
                volumes.MarkMounted(name);
            }
        }
        return Bind(r, volume.Mountpoint, user, overlayDir, index, volumeDefaults: true);
    }

    /// <summary>A volume made with -o type=...,device=...,o=...: that mount (a bind of the device with o=bind).</summary>
    private static Mount FromOptions(MountRequest r, VolumeRecord v)
    {
        string type = v.Options.GetValueOrDefault("type") ?? "none";
        string device = v.Options.GetValueOrDefault("device") ?? type;
        var o = (v.Options.GetValueOrDefault("o") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        bool bind = type is "bind" or "none" || o.Contains("bind") || o.Contains("rbind");
        var options = new List<string>();
        if (bind && !o.Contains("bind") && !o.Contains("rbind")) options.Add("rbind");
        options.AddRange(o);
        if (!options.Any(IsPropagation)) options.Add("rprivate");
        // as for every named volume: nosuid and nodev unless asked otherwise
        if (!r.Options.Contains("suid") && !o.Contains("suid")) options.Add("nosuid");
        if (!r.Options.Contains("dev") && !o.Contains("dev")) options.Add("nodev");
        if (r.ReadOnly) options.Add("ro");
        options.AddRange(r.Options);
        return new Mount { Destination = r.Destination, Type = bind ? "bind" : type, Source = device, Options = options };
    }

    /// <summary>
    /// podman's first mount of a new volume: the image's content at the destination (resolved inside the root,
    /// symlinks never leaving it) is copied in, owners and modes kept, links copied as links; the volume's root takes
    /// that directory's owner and mode. Without such a directory, the root goes to the container's user.
    /// </summary>
    private static void FirstMount(VolumeRecord v, string rootfs, MountRequest r, ContainerUser user)
    {
        string target = RootedPath.Resolve(rootfs, r.Destination);
        var st = Libc.Lstat(target);
        bool isDir = st is { } s && (s.Mode & 0xf000) == 0x4000;
        if (isDir && v.NeedsCopyUp && r.Copy != false && !Directory.EnumerateFileSystemEntries(v.Mountpoint).Any())
        {
            CopyTree(target, v.Mountpoint);
            Libc.Lchown(v.Mountpoint, st!.Value.Uid, st.Value.Gid);
            File.SetUnixFileMode(v.Mountpoint, (UnixFileMode)(st.Value.Mode & 0xfff));
        }
        else if (isDir && v.NeedsChown)
        {
            Libc.Lchown(v.Mountpoint, st!.Value.Uid, st.Value.Gid);
        }
        else if (v.NeedsChown)
        {
            Libc.Lchown(v.Mountpoint, user.Uid, user.Gid);
        }
    }

    /// <summary>
    /// Empties the upper layers of the container's O mounts once it has exited (its mount namespace, where the overlays
    /// were, is gone): the next start sees the source as it is. Never throws.
    /// </summary>
    public static void DiscardOverlays(string containerDir)
    {
        string root = Path.Combine(containerDir, "volume-overlays");
        try
        {
            if (!Directory.Exists(root)) return;
            foreach (string dir in Directory.EnumerateDirectories(root))
                foreach (string part in new[] { "upper", "work" })
                {
                    string path = Path.Combine(dir, part);
                    if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                    Directory.CreateDirectory(path);
                }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Warning: discarding the overlay changes of {containerDir}: {ErrorText.Of(e)}");
        }
    }

    /// <summary>Copies a directory tree of the (untrusted) image: no link is followed, device nodes and FIFOs are left out.</summary>
    internal static void CopyTree(string from, string to)
    {
        var pending = new Stack<(string From, string To)>();
        pending.Push((from, to));
        while (pending.Count > 0)
        {
            var (src, dst) = pending.Pop();
            foreach (string entry in Directory.EnumerateFileSystemEntries(src))
            {
                string name = Path.GetFileName(entry);
                string target = Path.Combine(dst, name);
                if (Libc.Lstat(entry) is not { } st) continue;
                uint type = st.Mode & 0xf000;
                switch (type)
                {
                    case 0xa000: // symlink: recreated as it is
                        File.CreateSymbolicLink(target, new FileInfo(entry).LinkTarget ?? "");
                        break;
                    case 0x4000:
                        Directory.CreateDirectory(target);
                        pending.Push((entry, target));
                        break;
                    case 0x8000:
                        using (var input = new FileStream(entry, FileMode.Open, FileAccess.Read))
                        using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                            input.CopyTo(output);
                        break;
                    default:
                        continue;
                }
                Libc.Lchown(target, st.Uid, st.Gid);
                if (type != 0xa000) File.SetUnixFileMode(target, (UnixFileMode)(st.Mode & 0xfff));
            }
        }
    }

    /// <summary>U: the tree's owner becomes the container's user (links themselves, never followed).</summary>
    private static void ChownTree(string root, uint uid, uint gid)
    {
        try
        {
            Libc.Lchown(root, uid, gid);
            if ((Libc.Lstat(root)?.Mode & 0xf000) != 0x4000) return;
            var pending = new Stack<string>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                string dir = pending.Pop();
                foreach (string entry in Directory.EnumerateFileSystemEntries(dir))
                {
                    Libc.Lchown(entry, uid, gid);
                    if ((Libc.Lstat(entry)?.Mode & 0xf000) == 0x4000) pending.Push(entry);
                }
            }
        }
        catch (ErrnoException e)
        {
            throw new EngineException($"chown of {root} to {uid}:{gid} (U): {e.Message}");
        }
    }

    private static bool IsPropagation(string o) => o is "private" or "rprivate" or "shared" or "rshared" or "slave" or "rslave" or "unbindable" or "runbindable";
}
