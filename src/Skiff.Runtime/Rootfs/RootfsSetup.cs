using System.Runtime.InteropServices;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Config;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// Builds the container's root inside its new mount namespace, like runc: / made rslave, the
/// rootfs bound on itself, config.mounts, /dev, pivot_root(".", ".") and the old root detached,
/// then maskedPaths, readonlyPaths and a read-only root.
/// </summary>
internal static class RootfsSetup
{
    public static void Run(Spec spec, string rootfs, bool inUserNamespace)
    {
        ulong propagation = spec.Linux?.RootfsPropagation is { Length: > 0 } p
            ? MountOptions.Parse([p]).Propagation.FirstOrDefault(MS_SLAVE | MS_REC)
            : MS_SLAVE | MS_REC;
        MountCalls.Mount(null, "/", null, propagation, null);
        MountCalls.Mount(rootfs, rootfs, null, MS_BIND | MS_REC, null);

        bool devMounted = false;
        foreach (var m in spec.Mounts ?? [])
        {
            MountOne(m, rootfs, inUserNamespace);
            if (m.Destination.TrimEnd('/') == "/dev") devMounted = true;
        }
        DeviceSetup.Create(rootfs, spec.Linux?.Devices, standard: devMounted, inUserNamespace);

        Check(Chdir(rootfs), $"chdir {rootfs}");
        Check(PivotRoot(".", "."), $"pivot_root {rootfs}");
        MountCalls.Mount(null, ".", null, MS_SLAVE | MS_REC, null);
        Check(Umount2(".", MNT_DETACH), "umount of the old root");
        Check(Chdir("/"), "chdir /");

        foreach (string path in spec.Linux?.MaskedPaths ?? []) Mask(path);
        foreach (string path in spec.Linux?.ReadonlyPaths ?? []) ReadOnly(path);
        if (spec.Root?.Readonly == true) MountCalls.BindRemount("/", MS_RDONLY);
    }

    private static void MountOne(Mount m, string rootfs, bool inUserNamespace)
    {
        if (!m.Destination.StartsWith('/')) throw new RuntimeException($"mount destination {m.Destination} is not absolute");
        var options = MountOptions.Parse(m.Options);
        string target = RootedPath.Resolve(rootfs, m.Destination);
        string type = m.Type ?? (options.Bind ? "bind" : "");
        if (options.Bind || type == "bind")
        {
            string source = m.Source ?? throw new RuntimeException($"bind mount on {m.Destination} has no source");
            BindMount(source, target, options.Recursive, options.Flags);
        }
        else switch (type)
        {
            case "sysfs":
                MountCalls.CreateMountPoint(target, file: false);
                int sysErr = MountCalls.TryMount("sysfs", target, "sysfs", options.Flags, options.Data);
                if (sysErr is Errno.EPERM or Errno.EACCES)
                    BindMount("/sys", target, recursive: true, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
                else if (sysErr != 0) throw new ErrnoException($"mount sysfs on {m.Destination}", sysErr);
                break;
            case "cgroup" or "cgroup2":
                // No cgroup manager yet: the host's hierarchy, read-only (the cgroup namespace scopes what it shows).
                MountCalls.CreateMountPoint(target, file: false);
                if (Directory.Exists("/sys/fs/cgroup") && MountCalls.TryMount("/sys/fs/cgroup", target, null, MS_BIND | MS_REC, null) == 0)
                    TryBindRemount(target, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
                break;
            case "mqueue":
                MountCalls.CreateMountPoint(target, file: false);
                int mqErr = MountCalls.TryMount("mqueue", target, "mqueue", options.Flags, options.Data);
                if (mqErr is Errno.EPERM or Errno.EACCES)
                    BindMount("/dev/mqueue", target, recursive: false, options.Flags);
                else if (mqErr != 0) throw new ErrnoException($"mount mqueue on {m.Destination}", mqErr);
                break;
            case "devpts":
                MountCalls.CreateMountPoint(target, file: false);
                if (MountCalls.TryMount("devpts", target, "devpts", options.Flags, options.Data) != 0)
                {
                    // In a user namespace gid=5 may not be mapped: retry without it.
                    string data = string.Join(',', options.Data.Split(',').Where(o => !o.StartsWith("gid=", StringComparison.Ordinal)));
                    MountCalls.Mount("devpts", target, "devpts", options.Flags, data);
                }
                break;
            default:
                MountCalls.CreateMountPoint(target, file: false);
                MountCalls.Mount(m.Source ?? type, target, type, options.Flags, options.Data);
                break;
        }
        foreach (ulong p in options.Propagation) MountCalls.Mount(null, target, null, p, null);
    }

    private static void BindMount(string source, string target, bool recursive, ulong flags)
    {
        if (!File.Exists(source) && !Directory.Exists(source)) throw new RuntimeException($"bind mount source {source} does not exist");
        MountCalls.CreateMountPoint(target, file: !Directory.Exists(source));
        MountCalls.Mount(source, target, null, MS_BIND | (recursive ? MS_REC : 0), null);
        ulong extra = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (extra != 0) MountCalls.BindRemount(target, extra);
    }

    private static void TryBindRemount(string target, ulong flags)
    {
        try { MountCalls.BindRemount(target, flags); }
        catch (ErrnoException) { /* best effort for the host's cgroup tree */ }
    }

    private static void Mask(string path)
    {
        if (Directory.Exists(path)) MountCalls.Mount("tmpfs", path, "tmpfs", MS_RDONLY, null);
        else if (File.Exists(path)) MountCalls.Mount("/dev/null", path, null, MS_BIND, null);
    }

    private static void ReadOnly(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) return;
        MountCalls.Mount(path, path, null, MS_BIND | MS_REC, null);
        MountCalls.BindRemount(path, MS_RDONLY);
    }
}
