using Skiff.Interop;
using Skiff.Oci.Runtime;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// The standard nodes of /dev (null zero full random urandom tty), the devices of the config, and
/// the /dev symlinks. In a user namespace mknod is refused, so the host's nodes are bind-mounted.
/// </summary>
internal static class DeviceSetup
{
    private static readonly Device[] Standard =
    [
        new() { Path = "/dev/null", Major = 1, Minor = 3 },
        new() { Path = "/dev/zero", Major = 1, Minor = 5 },
        new() { Path = "/dev/full", Major = 1, Minor = 7 },
        new() { Path = "/dev/random", Major = 1, Minor = 8 },
        new() { Path = "/dev/urandom", Major = 1, Minor = 9 },
        new() { Path = "/dev/tty", Major = 5, Minor = 0 },
    ];

    public static void Create(string rootfs, IEnumerable<Device>? configured, bool standard, bool inUserNamespace)
    {
        var all = (standard ? Standard : []).Concat(configured ?? []);
        foreach (var device in all)
        {
            string target = RootedPath.Resolve(rootfs, device.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (inUserNamespace) Bind(device.Path, target);
            else Mknod(device, target);
        }
        if (standard) Symlinks(rootfs);
    }

    private static void Mknod(Device device, string target)
    {
        uint kind = device.Type switch { "b" => S_IFBLK, "p" => S_IFIFO, _ => S_IFCHR };
        uint mode = device.FileMode ?? 0x1b6; // 0666
        if (File.Exists(target)) File.Delete(target);
        if (Libc.Mknod(target, kind | (mode & 0xfff), MakeDev(device.Major, device.Minor)) != 0) ThrowErrno($"mknod {device.Path}");
        File.SetUnixFileMode(target, (UnixFileMode)(mode & 0xfff));
        if (device.Uid is not null || device.Gid is not null)
            Check(Libc.Chown(target, device.Uid ?? 0, device.Gid ?? 0), $"chown {device.Path}");
    }

    private static void Bind(string hostPath, string target)
    {
        if (!File.Exists(target)) File.WriteAllBytes(target, []);
        MountCalls.Mount(hostPath, target, null, MS_BIND, null);
    }

    private static void Symlinks(string rootfs)
    {
        // Resolved inside the rootfs: before pivot_root a plain rootfs + "/dev/..." would follow an image's
        // "dev -> /host/dir" symlink out to the host.
        string dev = RootedPath.Resolve(rootfs, "/dev");
        (string Link, string Target)[] links =
        [
            ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ];
        foreach (var (link, target) in links) TryLink(Path.Combine(dev, link), target);
        string ptmx = Path.Combine(dev, "ptmx");
        if (Directory.Exists(Path.Combine(dev, "pts")))
        {
            if (File.Exists(ptmx)) File.Delete(ptmx);
            TryLink(ptmx, "pts/ptmx");
        }
    }

    private static void TryLink(string path, string target)
    {
        if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null) return;
        File.CreateSymbolicLink(path, target);
    }

}
