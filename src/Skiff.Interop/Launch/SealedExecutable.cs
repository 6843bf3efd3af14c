namespace Skiff.Interop.Launch;

/// <summary>
/// A sealed in-memory copy of an executable (runc's answer to CVE-2019-5736, which crun shares): a process
/// started from it has /proc/self/exe pointing at the copy, which no one can write, grow or shrink, so code
/// running in a container can never reach the host's runtime binary through /proc/PID/exe.
/// </summary>
public static class SealedExecutable
{
    /// <summary>Whether this process runs from a sealed memfd (the kernel names its executable "/memfd:...").</summary>
    public static bool IsSelfSealed()
    {
        try { return (File.ResolveLinkTarget("/proc/self/exe", false)?.ToString() ?? "").StartsWith("/memfd:", StringComparison.Ordinal); }
        catch (IOException) { return false; }
    }

    /// <summary>
    /// A sealed copy of this process's own binary: our own executable when we already run from one (no copy
    /// needed: it cannot change), else a new copy.
    /// </summary>
    public static SafeFd OfSelf(string name = "skiff-runtime")
    {
        if (IsSelfSealed())
        {
            var self = Libc.OpenFd("/proc/self/exe", Libc.O_RDONLY);
            const int needed = Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE;
            if ((Libc.Fcntl(self.Fd, Libc.F_GET_SEALS, 0) & needed) == needed) return self;
            self.Dispose();
        }
        return Create("/proc/self/exe", name);
    }

    /// <summary>
    /// Makes this process run from a sealed copy of itself: unless it already does, it executes the copy with
    /// the same arguments and environment (this call then does not return). For commands whose process, or a
    /// clone of it, becomes visible inside a container before it execs the container's program.
    /// </summary>
    public static void ReexecSealed(IReadOnlyList<string> argv, string name = "skiff-runtime")
    {
        if (IsSelfSealed()) return;
        using var copy = Create("/proc/self/exe", name);
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables()) env.Add($"{e.Key}={e.Value}");
        using var program = new SyscallProgram();
        program.Execveat(copy.Fd, argv, env, "run the runtime from its sealed copy");
        program.RunHere();
    }

    /// <summary>Copies <paramref name="path"/> (by default this process's own binary) into a sealed memfd (O_CLOEXEC).</summary>
    public static SafeFd Create(string path = "/proc/self/exe", string name = "skiff-runtime")
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
