using System.Globalization;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Rootfs;
using static Skiff.Interop.Libc;

namespace Skiff.Tests.Runtime.Rootfs;

/// <summary>
/// A fake kernel that records what the root's construction asks for, one line per call, and keeps just
/// enough state to answer: which paths exist on the host and in the container, which filesystem is
/// mounted where (for the /proc checks), which device nodes exist. <see cref="Fail"/> makes chosen calls
/// fail with an errno, as a kernel would.
/// </summary>
public sealed class RecordingMountKernel : IMountKernel
{
    public List<string> Ops { get; } = [];

    /// <summary>Paths of the runtime's own view: the rootfs, bind sources, /sys, host devices.</summary>
    public Dictionary<string, NodeKind> Host { get; } = new(StringComparer.Ordinal)
    {
        ["/"] = NodeKind.Directory, ["/rootfs"] = NodeKind.Directory, ["/sys"] = NodeKind.Directory, ["/dev/mqueue"] = NodeKind.Directory,
        ["/dev/null"] = NodeKind.Device, ["/dev/zero"] = NodeKind.Device, ["/dev/full"] = NodeKind.Device, ["/dev/random"] = NodeKind.Device,
        ["/dev/urandom"] = NodeKind.Device, ["/dev/tty"] = NodeKind.Device, ["/dev/fuse"] = NodeKind.Device,
    };

    /// <summary>Paths that exist in the container's root (the image's contents, then what was created).</summary>
    public Dictionary<string, NodeKind> Container { get; } = new(StringComparer.Ordinal) { ["/"] = NodeKind.Directory };

    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>An errno for the call a record line describes (0: it succeeds).</summary>
    public Func<string, int> Fail { get; set; } = _ => 0;

    private readonly List<(string Path, string Type)> _mounts = [];
    private readonly Dictionary<string, (uint, uint)> _devices = new(StringComparer.Ordinal);
    private bool _pivoted;

    private void Record(string line)
    {
        int errno = Fail(line);
        if (errno != 0) throw new ErrnoException(line, errno);
        Ops.Add(line);
    }

    private static string Join(string root, string path)
    {
        var parts = new List<string>();
        foreach (string p in (root.TrimEnd('/') + "/" + path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }

    public Node? Open(string path)
    {
        var table = _pivoted ? Container : Host;
        return table.TryGetValue(path, out var kind) ? new Node(path, kind) : null;
    }

    public Node? Resolve(Node root, string path, Create create, bool followLast = true)
    {
        string full = Join(root.Path, path);
        if (Container.TryGetValue(full, out var kind)) return new Node(full, kind);
        if (create == Create.Nothing) return null;
        kind = create == Create.Directory ? NodeKind.Directory : NodeKind.File;
        Record($"create {full}{(kind == NodeKind.Directory ? "/" : "")}");
        Container[full] = kind;
        return new Node(full, kind);
    }

    public Node Bind(Node source, Node target, bool recursive)
    {
        Record($"bind {source.Path} on {target.Path}{(recursive ? " recursive" : "")}");
        _mounts.Add((target.Path, source.Path.StartsWith("/proc", StringComparison.Ordinal) ? "proc" : "bind"));
        if (_devices.TryGetValue(source.Path, out var d) || HostDevice(source, out d)) _devices[target.Path] = d;
        return new Node(target.Path, source.Kind);
    }

    private static bool HostDevice(Node source, out (uint, uint) device)
    {
        device = source.Path switch { "/dev/null" => (1, 3), "/dev/zero" => (1, 5), _ => (0, 0) };
        return source.Kind == NodeKind.Device && device != (0u, 0u);
    }

    public Node MountFilesystem(FilesystemMount fs, Node target)
    {
        var parts = new List<string> { "mount", fs.Type, fs.Source ?? "", "on", target.Path };
        if (fs.Flags != 0) parts.Add(MountOptions.Describe(fs.Flags));
        if (fs.Data.Count > 0) parts.Add("[" + string.Join(',', fs.Data) + "]");
        Record(string.Join(' ', parts));
        _mounts.Add((target.Path, fs.Type));
        return new Node(target.Path, NodeKind.Directory);
    }

    public Node CloneTree(Node source, bool recursive)
    {
        Record($"clone {source.Path}{(recursive ? " recursive" : "")}");
        return new Node(source.Path, source.Kind);
    }

    public void SetIdmap(Node tree, Node userNamespace, bool recursive) =>
        Record($"idmap {tree.Path} with {userNamespace.Path}{(recursive ? " recursive" : "")}");

    public Node Attach(Node tree, Node target)
    {
        Record($"attach {tree.Path} on {target.Path}");
        return new Node(target.Path, tree.Kind);
    }

    public Node UserNamespace(IReadOnlyList<IdMapping> uidMappings, IReadOnlyList<IdMapping> gidMappings)
    {
        static string Maps(IEnumerable<IdMapping> m) => string.Join(',', m.Select(x => $"{x.ContainerId}:{x.HostId}:{x.Size}"));
        string name = $"userns(u={Maps(uidMappings)} g={Maps(gidMappings)})";
        Record(name);
        return new Node(name, NodeKind.Other);
    }

    public void SetFlags(Node mount, ulong flags) => Record($"flags {mount.Path} {MountOptions.Describe(flags)}");

    public void AddFlags(Node mount, ulong flags) => Record($"add-flags {mount.Path} {MountOptions.Describe(flags)}");

    public void SetRecursiveAttributes(Node mount, ulong set, ulong clear) =>
        Record($"recursive {mount.Path} set=0x{set:x} clear=0x{clear:x}");

    public void SetPropagation(Node mount, ulong propagation) => Record($"propagation {mount.Path} {MountOptions.Describe(propagation)}");

    public void CopyTree(Node from, Node to, bool copyRootAttributes) =>
        Record($"copy {from.Path} into the new {to.Path}{(copyRootAttributes ? " with its mode and owner" : "")}");

    public void MakeNode(Node dir, string name, uint mode, ulong device, uint uid, uint gid)
    {
        string path = Join(dir.Path, name);
        char type = (mode & S_IFMT) switch { S_IFCHR => 'c', S_IFBLK => 'b', S_IFIFO => 'p', _ => '?' };
        uint major = (uint)(((device >> 8) & 0xfff) | ((device >> 32) & 0xfffff000));
        uint minor = (uint)((device & 0xff) | ((device >> 12) & 0xffffff00));
        Record($"mknod {path} {type} {major}:{minor} {Convert.ToString(mode & 0xfff, 8)} {uid}:{gid}");
        Container[path] = NodeKind.Device;
        _devices[path] = (major, minor);
    }

    public Node CreateFile(Node dir, string name)
    {
        string path = Join(dir.Path, name);
        Record($"file {path}");
        Container[path] = NodeKind.File;
        return new Node(path, NodeKind.File);
    }

    public void Symlink(Node dir, string name, string target, bool replace)
    {
        string path = Join(dir.Path, name);
        if (!replace && Container.ContainsKey(path)) return;
        Record($"symlink {path} -> {target}{(replace ? " (replacing)" : "")}");
        Container[path] = NodeKind.Symlink;
    }

    public long FilesystemType(Node node)
    {
        var mount = _mounts.Where(m => node.Path == m.Path || node.Path.StartsWith(m.Path.TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Path.Length).Select(m => m.Type).FirstOrDefault();
        if (mount is null && !_pivoted && node.Path.StartsWith("/proc", StringComparison.Ordinal) && Host.ContainsKey(node.Path)) mount = "proc";
        return mount switch { "proc" => PROC_SUPER_MAGIC, "sysfs" => SYSFS_MAGIC, "tmpfs" => TMPFS_MAGIC, _ => 0xef53 };
    }

    public (uint Major, uint Minor)? DeviceOf(Node node) => _devices.TryGetValue(node.Path, out var d) ? d : null;

    public void WriteBeneath(Node dir, string relative, string value) => Record($"write {Join(dir.Path, relative)} {value}");

    public string? ReadFile(string path) => Files.TryGetValue(path, out string? text) ? text : null;

    public int Detach(string path)
    {
        Ops.Add($"detach {path}");
        return Fail($"detach {path}");
    }

    public void PivotRoot(Node newRoot)
    {
        Record($"pivot_root {newRoot.Path}");
        _pivoted = true;
    }

    public void MoveRoot(Node newRoot)
    {
        Record($"move {newRoot.Path} on / and chroot");
        _pivoted = true;
    }

    /// <summary>The records of these kinds ("mount", "bind"...), in order, without the rootfs bound on itself that always comes first.</summary>
    public List<string> Of(params string[] kinds) =>
        Ops.Where(o => o != "bind /rootfs on /rootfs recursive" && kinds.Any(k => o.StartsWith(k + " ", StringComparison.Ordinal))).ToList();

    public static string Octal(uint mode) => Convert.ToString(mode, 8).ToString(CultureInfo.InvariantCulture);
}
