using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Engine.Security;

/// <summary>
/// The host's device nodes under /dev, for --privileged (podman hands them all to the container, as runc's
/// HostDevices lists them: symlinks are not followed, and pts, shm, mqueue, fd and the udev bookkeeping skipped).
/// </summary>
public static class HostDevices
{
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev" };

    public static IReadOnlyList<Device> List(string root = "/dev")
    {
        var devices = new List<Device>();
        Walk(root, devices);
        return devices;
    }

    private static void Walk(string dir, List<Device> devices)
    {
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string path in entries)
        {
            FileStat? st;
            try { st = Libc.Lstat(path); }
            catch (IOException) { continue; }
            if (st is not { } s) continue;
            uint type = s.Mode & Libc.S_IFMT;
            if (type == Libc.S_IFDIR)
            {
                if (!Skipped.Contains(Path.GetFileName(path))) Walk(path, devices);
                continue;
            }
            if (type != Libc.S_IFCHR && type != Libc.S_IFBLK) continue;
            if (path == "/dev/console") continue; // the container's console is its own
            devices.Add(new Device
            {
                Path = path, Type = type == Libc.S_IFCHR ? "c" : "b", Major = s.RdevMajor, Minor = s.RdevMinor,
                FileMode = s.Mode & 0xfff, Uid = s.Uid, Gid = s.Gid,
            });
        }
    }
}
