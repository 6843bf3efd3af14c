namespace Skiff.Interop.Launch;

/// <summary>
/// An executable no process can write through (the CVE-2019-5736 class): a process started from it has
/// /proc/self/exe pointing at a file that no one can write, grow or shrink, so code running in a container can
/// never reach the host's runtime binary through /proc/PID/exe. Two forms, as runc 1.2 has them:
///   - the binary seen through a detached overlayfs mount whose only layers are lower ones (overlayfs then
///     refuses every write, whatever the mount flags, and the mount is in no namespace, reachable only through
///     the descriptor): no copy, so it costs a superblock instead of copying megabytes;
///   - where that is refused (no overlayfs, no CAP_SYS_ADMIN over the mount namespace, a path overlayfs cannot
///     take), a sealed memfd copy (runc's first answer, which crun shares).
/// </summary>
public static class SealedExecutable
{
    private const long OverlayfsMagic = 0x794c7630;
    private const int SealsNeeded = Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE;

    /// <summary>
    /// Whether this process runs from a sealed executable: a memfd with every write seal, or a read-only
    /// overlayfs mount that no mount namespace of ours holds (a detached one, as <see cref="Create"/> makes).
    /// </summary>
    public static bool IsSelfSealed()
    {
        using var self = Libc.OpenFd("/proc/self/exe", Libc.O_RDONLY);
        int seals = Libc.Fcntl(self.Fd, Libc.F_GET_SEALS, 0); // -1 (EINVAL) where the file is no memfd
        if (seals >= 0 && (seals & SealsNeeded) == SealsNeeded) return true;
        if (Libc.Fstatfs(self.Fd, out long type, out ulong flags) != 0 || type != OverlayfsMagic || (flags & Libc.ST_RDONLY) == 0) return false;
        if (Libc.Statx(self.Fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_MNT_ID, out var stx) != 0 || (stx.Mask & Libc.STATX_MNT_ID) == 0) return false;
        string mountId = stx.MountId.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ";
        return !File.ReadLines("/proc/self/mountinfo").Any(line => line.StartsWith(mountId, StringComparison.Ordinal));
    }

    /// <summary>
    /// A sealed copy of this process's own binary: our own executable when we already run from one (no copy
    /// needed: it cannot change), else a new copy.
    /// </summary>
    public static SafeFd OfSelf(string? emptyDirectory = null, string name = "skiff-runtime") =>
        IsSelfSealed() ? Libc.OpenFd("/proc/self/exe", Libc.O_RDONLY) : Create("/proc/self/exe", emptyDirectory, name);

    /// <summary>
    /// Makes this process run from a sealed copy of itself: unless it already does, it executes the copy with
    /// the same arguments and environment (this call then does not return). For commands whose process, or a
    /// clone of it, becomes visible inside a container before it execs the container's program.
    /// </summary>
    public static void ReexecSealed(IReadOnlyList<string> argv, string? emptyDirectory = null, string name = "skiff-runtime")
    {
        if (IsSelfSealed()) return;
        using var copy = Create("/proc/self/exe", emptyDirectory, name);
        var env = Libc.EnvironmentLines();
        using var program = new SyscallProgram();
        program.Execveat(copy.Fd, argv, env, "run the runtime from its sealed copy");
        program.RunHere();
    }

    /// <summary>
    /// A sealed form of <paramref name="path"/> (by default this process's own binary), O_CLOEXEC: through a
    /// read-only overlayfs when <paramref name="emptyDirectory"/> (a directory of ours, made if missing, that
    /// overlayfs uses as its second lower layer: it needs two without an upper one) is given and the kernel lets
    /// us, else a sealed memfd copy.
    /// </summary>
    public static SafeFd Create(string path = "/proc/self/exe", string? emptyDirectory = null, string name = "skiff-runtime") =>
        (emptyDirectory is null ? null : ThroughReadOnlyOverlay(path, emptyDirectory)) ?? CopyToMemfd(path, name);

    /// <summary>The binary opened through a new detached lower-only overlayfs mount; null where that is refused.</summary>
    public static SafeFd? ThroughReadOnlyOverlay(string path, string emptyDirectory)
    {
        string? target = Libc.ReadlinkAt(Libc.AT_FDCWD, path) is { } link && path.StartsWith("/proc/", StringComparison.Ordinal) ? link : Path.GetFullPath(path);
        if (!target.StartsWith('/') || target.EndsWith(" (deleted)", StringComparison.Ordinal) || target.StartsWith("/memfd:", StringComparison.Ordinal)) return null;
        string directory = Path.GetDirectoryName(target)!, file = Path.GetFileName(target);
        // overlayfs separates layers with ':' and escapes with '\'; a layer overlapping the other is refused by the kernel.
        if (directory.Contains(':', StringComparison.Ordinal) || directory.Contains('\\', StringComparison.Ordinal)
            || emptyDirectory.Contains(':', StringComparison.Ordinal) || emptyDirectory.Contains('\\', StringComparison.Ordinal)) return null;
        try { Directory.CreateDirectory(emptyDirectory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        int context = Libc.FsOpen("overlay", Libc.FSOPEN_CLOEXEC);
        if (context < 0) return null;
        using var contextFd = new SafeFd(context);
        // The binary's directory on top, so that nothing in the empty one can stand in for it.
        if (Libc.FsConfig(context, Libc.FSCONFIG_SET_STRING, "lowerdir", $"{directory}:{emptyDirectory}") != 0) return null;
        Libc.FsConfig(context, Libc.FSCONFIG_SET_STRING, "xino", "off"); // else a dmesg line where the layers' filesystems differ
        if (Libc.FsConfig(context, Libc.FSCONFIG_CMD_CREATE, null, null) != 0) return null;
        int mount = Libc.FsMount(context, Libc.FSMOUNT_CLOEXEC, Libc.MOUNT_ATTR_RDONLY | Libc.MOUNT_ATTR_NODEV | Libc.MOUNT_ATTR_NOSUID);
        if (mount < 0) return null;
        using var mountFd = new SafeFd(mount);
        int fd = Libc.OpenAt2(mount, file, Libc.O_RDONLY, Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS);
        if (fd < 0) return null;
        var exe = new SafeFd(fd);
        // The same file as the binary (same size and times; overlayfs gives it its own device and inode numbers).
        if (Libc.Statx(fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out var seen) != 0
            || Libc.Statx(Libc.AT_FDCWD, target, 0, Libc.STATX_BASIC_STATS, out var real) != 0
            || seen.Size != real.Size || seen.MtimeSec != real.MtimeSec || seen.MtimeNsec != real.MtimeNsec || (seen.Mode & 0xF000) != 0x8000)
        {
            exe.Dispose();
            return null;
        }
        return exe;
    }

    /// <summary>Copies <paramref name="path"/> into a sealed memfd (O_CLOEXEC).</summary>
    public static SafeFd CopyToMemfd(string path = "/proc/self/exe", string name = "skiff-runtime")
    {
        using var source = Libc.OpenFd(path, Libc.O_RDONLY);
        // MFD_EXEC (Linux 6.3) asks for an executable memfd where vm.memfd_noexec would refuse one; older kernels reject the flag.
        int fd = Libc.MemfdCreate(name, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING | Libc.MFD_EXEC);
        if (fd < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINVAL)
            fd = Libc.MemfdCreate(name, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
        if (fd < 0) Libc.ThrowErrno("memfd_create");
        var memfd = new SafeFd(fd);
        try
        {
            long copied = 0;
            while (true)
            {
                nint n = Libc.SendFile(fd, source.Fd, 0, 1 << 30);
                if (n < 0)
                {
                    if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                    Libc.ThrowErrno($"copying {path} into a sealed memfd");
                }
                if (n == 0) break;
                copied += n;
            }
            if (copied == 0) throw new IOException($"copying {path} into a sealed memfd: the file is empty");
            Libc.Check(Libc.Fcntl(fd, Libc.F_ADD_SEALS, Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE),
                "sealing the runtime's memfd");
            return memfd;
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }
}
