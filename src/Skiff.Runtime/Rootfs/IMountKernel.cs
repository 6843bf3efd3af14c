using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Rootfs;

/// <summary>What a resolved path is.</summary>
public enum NodeKind { Directory, File, Symlink, Device, Other }

/// <summary>What <see cref="IMountKernel.Resolve"/> makes when the path is missing.</summary>
public enum Create { Nothing, Directory, File }

/// <summary>
/// A file the kernel resolved once: in the Linux implementation an O_PATH descriptor (or a mount's
/// descriptor), used for every later call so no path string is walked again; in a fake, just its path.
/// </summary>
public sealed class Node : IDisposable
{
    public Node(string path, NodeKind kind, SafeFd? fd = null)
    {
        Path = path;
        Kind = kind;
        Fd = fd;
    }

    /// <summary>The path it was resolved from (inside the container for resolved nodes, on the host for opened ones): for messages.</summary>
    public string Path { get; }

    public NodeKind Kind { get; }

    public SafeFd? Fd { get; }

    /// <summary>The root and the path this node was resolved in (a kernel without the new mount API re-resolves a target after mounting on it).</summary>
    internal (Node Root, string Path)? ResolvedIn { get; init; }

    /// <summary>The same descriptor under another name (the bound rootfs becomes "/"); this node must not be used after.</summary>
    public Node Named(string path) => new(path, Kind, Fd) { ResolvedIn = ResolvedIn };

    public void Dispose() => Fd?.Dispose();

    public override string ToString() => Path;
}

/// <summary>A fresh filesystem: its type, source, filesystem options (data) and MS_* flags.</summary>
public sealed record FilesystemMount(string Type, string? Source, IReadOnlyList<string> Data, ulong Flags);

/// <summary>
/// The seam between the root's construction (what a config.json asks for) and the kernel. The Linux
/// implementation (<see cref="LinuxMountKernel"/>) works on descriptors: paths are resolved inside the
/// root by the kernel (openat2 RESOLVE_IN_ROOT), and mounts go to the resolved descriptor with the new
/// mount API (or through /proc/self/fd/N on kernels without it). Tests use a recording fake.
/// Each call that mounts returns the new mount, for the calls that change its flags or propagation.
/// </summary>
public interface IMountKernel
{
    /// <summary>
    /// Opens a path of this process's own root that no container process controls (the bundle's rootfs, a
    /// bind source named by the config, "/", a host device); null when missing.
    /// </summary>
    Node? Open(string path);

    /// <summary>
    /// Resolves <paramref name="path"/> inside <paramref name="root"/> as a chroot to it would (symbolic
    /// links and ".." never leave it; /proc magic links are refused), creating what is missing as
    /// <paramref name="create"/> asks (parents as directories); null when missing and nothing is created.
    /// With <paramref name="followLast"/> false a final symbolic link is returned itself.
    /// </summary>
    Node? Resolve(Node root, string path, Create create, bool followLast = true);

    /// <summary>Binds <paramref name="source"/> on <paramref name="target"/> (with its submounts when recursive).</summary>
    Node Bind(Node source, Node target, bool recursive);

    /// <summary>Mounts a new filesystem on <paramref name="target"/>.</summary>
    Node MountFilesystem(FilesystemMount fs, Node target);

    /// <summary>A detached copy of the mount at <paramref name="source"/> (open_tree OPEN_TREE_CLONE), to change before attaching.</summary>
    Node CloneTree(Node source, bool recursive);

    /// <summary>Makes a detached tree show its files' owners through the id maps of the user namespace <paramref name="userNamespace"/>.</summary>
    void SetIdmap(Node tree, Node userNamespace, bool recursive);

    /// <summary>Attaches a detached tree (made here or by `create`) on <paramref name="target"/>.</summary>
    Node Attach(Node tree, Node target);

    /// <summary>A user namespace with these maps (for idmapped mounts), held by its descriptor.</summary>
    Node UserNamespace(IReadOnlyList<IdMapping> uidMappings, IReadOnlyList<IdMapping> gidMappings);

    /// <summary>Sets a mount's flags (MS_RDONLY, MS_NOSUID, atime...) to exactly <paramref name="flags"/>, keeping those the kernel locked.</summary>
    void SetFlags(Node mount, ulong flags);

    /// <summary>Adds <paramref name="flags"/> (MS_RDONLY) to a mount's, keeping all the others.</summary>
    void AddFlags(Node mount, ulong flags);

    /// <summary>Sets and clears MOUNT_ATTR_* flags on a mount and every mount below it (rro, rnosuid...).</summary>
    void SetRecursiveAttributes(Node mount, ulong set, ulong clear);

    /// <summary>Changes a mount's propagation: MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, with MS_REC for its submounts.</summary>
    void SetPropagation(Node mount, ulong propagation);

    /// <summary>Copies the contents of <paramref name="from"/> (a directory a mount now covers) into the mount <paramref name="to"/> (tmpcopyup).</summary>
    void CopyTree(Node from, Node to, bool copyRootAttributes);

    /// <summary>Makes a device node or fifo named <paramref name="name"/> in <paramref name="dir"/>, replacing what is there unless it is a directory (never following it).</summary>
    void MakeNode(Node dir, string name, uint mode, ulong device, uint uid, uint gid);

    /// <summary>Creates an empty file named <paramref name="name"/> in <paramref name="dir"/> as a mount point, replacing what is there unless it is a directory.</summary>
    Node CreateFile(Node dir, string name);

    /// <summary>Creates a symbolic link; an existing entry is kept unless <paramref name="replace"/> (a directory is always kept).</summary>
    void Symlink(Node dir, string name, string target, bool replace);

    /// <summary>The filesystem's magic number (statfs f_type) of the node.</summary>
    long FilesystemType(Node node);

    /// <summary>The device numbers of a character or block device node, null for anything else.</summary>
    (uint Major, uint Minor)? DeviceOf(Node node);

    /// <summary>Writes <paramref name="value"/> to <paramref name="relative"/> beneath <paramref name="dir"/>: no symbolic link, no other mount (sysctl under /proc/sys).</summary>
    void WriteBeneath(Node dir, string relative, string value);

    /// <summary>A text file of this process's view (/proc/self/cgroup, /proc/self/mountinfo); null when missing.</summary>
    string? ReadFile(string path);

    /// <summary>Detaches the mount at a path of this process's view (umount2 MNT_DETACH); returns the errno, 0 on success.</summary>
    int Detach(string path);

    /// <summary>pivot_root(2) into <paramref name="newRoot"/> (a mount), then the old root made rslave and detached.</summary>
    void PivotRoot(Node newRoot);

    /// <summary>The --no-pivot way: <paramref name="newRoot"/> moved on "/" (MS_MOVE) and chroot into it.</summary>
    void MoveRoot(Node newRoot);
}
