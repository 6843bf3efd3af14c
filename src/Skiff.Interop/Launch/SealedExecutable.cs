namespace Skiff.Interop.Launch;

/// <summary>
/// A sealed in-memory copy of an executable (runc's answer to CVE-2019-5736, which crun shares): a process
/// started from it has /proc/self/exe pointing at the copy, which no one can write, grow or shrink, so code
/// running in a container can never reach the host's runtime binary through /proc/PID/exe.
/// </summary>
public static class SealedExecutable
{
    /// <summary>Copies <paramref name="path"/> (by default this process's own binary) into a sealed memfd (O_CLOEXEC).</summary>
    public static SafeFd Create(string path = "/proc/self/exe", string name = "skiff-runtime")
    {
        using var source = Libc.OpenFd(path, Libc.O_RDONLY);
        long length = new FileInfo(path).Length;
        // MFD_EXEC (Linux 6.3) asks for an executable memfd where vm.memfd_noexec would refuse one; older kernels reject the flag.
        int fd = Libc.MemfdCreate(name, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING | Libc.MFD_EXEC);
        if (fd < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINVAL)
            fd = Libc.MemfdCreate(name, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
        if (fd < 0) Libc.ThrowErrno("memfd_create");
        var memfd = new SafeFd(fd);
        try
        {
            long copied = 0;
            while (copied < length)
            {
                nint n = Libc.SendFile(fd, source.Fd, 0, (nuint)Math.Min(length - copied, 1 << 30));
                if (n < 0)
                {
                    if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINTR) continue;
                    Libc.ThrowErrno($"copying {path} into a sealed memfd");
                }
                if (n == 0) throw new IOException($"copying {path} into a sealed memfd: the file ended after {copied} of {length} bytes");
                copied += n;
            }
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
