using Skiff.Interop;
using Skiff.Oci.Runtime;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// /dev: the standard nodes (null zero full random urandom tty), linux.devices, and the /dev symlinks
/// (fd, stdin, stdout, stderr, ptmx, and core where the host has /proc/kcore), as runc makes them. Each
/// node is made with mknodat relative to its directory's descriptor, resolved inside the root; what is
/// already at its name (a file, or a symbolic link, which is never followed) is replaced. In a user
/// namespace mknod of devices is refused: the host's node is bound on an empty file instead.
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

    private static readonly (string Link, string Target)[] Links =
        [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")];

    public static void Populate(IMountKernel kernel, Node root, IReadOnlyList<Device>? configured, bool inUserNamespace, bool hostHasKcore)
    {
        var wanted = configured ?? [];
        var all = Standard.Where(s => !wanted.Any(d => RootfsSetup.Clean(d.Path) == s.Path)).Concat(wanted);
        foreach (var device in all) Make(kernel, root, device, inUserNamespace);

        using var dev = kernel.Resolve(root, "/dev", Create.Directory) ?? throw new RuntimeException("cannot create /dev");
        foreach (var (link, target) in Links) kernel.Symlink(dev, link, target, replace: false);
        if (hostHasKcore) kernel.Symlink(dev, "core", "/proc/kcore", replace: false);
        using var pts = kernel.Resolve(dev, "pts", Create.Nothing, followLast: false);
        if (pts?.Kind == NodeKind.Directory) kernel.Symlink(dev, "ptmx", "pts/ptmx", replace: true);
    }

    private static void Make(IMountKernel kernel, Node root, Device device, bool inUserNamespace)
    {
        string path = RootfsSetup.Clean(device.Path);
        if (!device.Path.StartsWith('/') || path == "/") throw new RuntimeException($"linux.devices: {device.Path} is not an absolute path to a file");
        uint type = device.Type switch
        {
            "c" or "u" => S_IFCHR,
            "b" => S_IFBLK,
            "p" => S_IFIFO,
            _ => throw new RuntimeException($"linux.devices: {device.Path} has type {device.Type}, not c, b, u or p"),
        };
        string dir = path[..path.LastIndexOf('/')];
        string name = path[(path.LastIndexOf('/') + 1)..];
        using var parent = kernel.Resolve(root, dir.Length == 0 ? "/" : dir, Create.Directory)
            ?? throw new RuntimeException($"linux.devices: cannot create {dir}");
        uint mode = type | ((device.FileMode ?? 0x1b6) & 0xfff); // 0666 unless given
        ulong number = type == S_IFIFO ? 0 : MakeDev(device.Major, device.Minor);
        if (inUserNamespace && type != S_IFIFO)
        {
            Bind(kernel, parent, name, path);
            return;
        }
        try { kernel.MakeNode(parent, name, mode, number, device.Uid ?? 0, device.Gid ?? 0); }
        catch (ErrnoException e) when (e.Errno == Errno.EPERM && type != S_IFIFO)
        {
            Bind(kernel, parent, name, path); // no CAP_MKNOD: the host's node, as runc does
        }
    }

    private static void Bind(IMountKernel kernel, Node parent, string name, string path)
    {
        using var host = kernel.Open(path)
            ?? throw new RuntimeException($"linux.devices: {path} is not on the host (in a user namespace devices are bound from the host's)");
        if (host.Kind != NodeKind.Device) throw new RuntimeException($"linux.devices: {path} on the host is not a device");
        using var file = kernel.CreateFile(parent, name);
        using var mount = kernel.Bind(host, file, recursive: false);
    }
}
