using System.Text;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Config;
using Skiff.Runtime.Rootfs;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Init;

/// <summary>
/// `skiff-runtime init BUNDLE`: the container's first process, started by `create` with
/// CloneChild already inside the new namespaces (fd 3: sync pipe to create, fd 4: O_PATH of
/// exec.fifo, fd 5: config.json opened by create, readable even where a mapped root may not enter the bundle). It prepares the root, reports ready (or the error and its exit code), waits for
/// `start` on exec.fifo, becomes the configured user and execs the container's program.
/// </summary>
public static class ContainerInit
{
    public static int Run(string bundle)
    {
        Spec spec;
        string program;
        try
        {
            Fcntl(SyncMessage.InitFd, F_SETFD, FD_CLOEXEC);
            Fcntl(SyncMessage.FifoFd, F_SETFD, FD_CLOEXEC);
            CloseRange(SyncMessage.FifoFd + 1, uint.MaxValue, CLOSE_RANGE_CLOEXEC);
            Umask(0);
            spec = BundleConfig.Parse(ReadToEnd(SyncMessage.ConfigFd, 16 << 20), Path.Combine(bundle, "config.json"));
            Close(SyncMessage.ConfigFd);
            var process = spec.Process!;
            var namespaces = BundleConfig.NamespaceFlags(spec);
            JoinNamespaces(spec);
            // A new user namespace, or one we already run in (rootless Skiff runs the runtime inside its own):
            // either way mknod is refused and devices are bind-mounted from the host.
            bool inUserNamespace = (namespaces & CloneFlags.NewUser) != 0 || !UserNamespaceInfo.IsInitial;
            if ((namespaces & CloneFlags.NewNs) == 0) throw new RuntimeException("a mount namespace is required");
            // mounts: the three steps of Rootfs/RootfsSetup.cs (MountAll; hooks go here; SwitchRoot; Finish) in one call for now.
            RootfsSetup.Run(new LinuxMountKernel(), new RootfsRequest
            {
                Spec = spec, Rootfs = BundleConfig.RootfsOf(spec, bundle), Bundle = bundle, InUserNamespace = inUserNamespace,
            });
            if ((namespaces & CloneFlags.NewUts) != 0)
            {
                if (!string.IsNullOrEmpty(spec.Hostname)) Check(SetHostname(spec.Hostname), "sethostname");
                if (!string.IsNullOrEmpty(spec.Domainname)) Check(SetDomainname(spec.Domainname), "setdomainname");
            }
            program = ExecutableLookup.Resolve("/", process.Args![0], process.Env);
            Directory.CreateDirectory(process.Cwd);
            if (process.OomScoreAdj is int adj) File.WriteAllText("/proc/self/oom_score_adj", adj.ToString(System.Globalization.CultureInfo.InvariantCulture));
            ProcessSetup.ApplyRlimits(process);
            Check(Prctl(PR_SET_PDEATHSIG, 0), "prctl PR_SET_PDEATHSIG");
        }
        catch (RuntimeException e)
        {
            return Fail(e.ExitCode, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail(1, $"permission denied: {e.Message}");
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            return Fail(1, e.Message);
        }
        SyncMessage.SendReady(SyncMessage.InitFd);
        Close(SyncMessage.InitFd);

        try
        {
            WaitForStart();
            ProcessSetup.ApplyIdentity(spec.Process!);
            ResetSignalsForExec();
            Execve(program, spec.Process!.Args!, spec.Process.Env ?? []);
            return 1; // not reached
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"skiff-runtime init: {e.Message}");
            return 1;
        }
    }

    /// <summary>setns into the network/ipc/uts/cgroup namespaces the config names by path (all work happens on this thread).</summary>
    private static void JoinNamespaces(Spec spec)
    {
        foreach (var (flag, path) in BundleConfig.NamespacesToJoin(spec))
        {
            int fd = Open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) ThrowErrno($"open namespace {path}");
            using var handle = new SafeFd(fd);
            Check(Setns(fd, (int)flag), $"setns {path}");
        }
    }

    private static int Fail(int code, string message)
    {
        try { SyncMessage.SendError(SyncMessage.InitFd, code, message); }
        catch (ErrnoException) { Console.Error.WriteLine($"skiff-runtime init: {message}"); }
        return code;
    }

    /// <summary>Opens exec.fifo for writing through /proc (its path is outside our root now): blocks until `start` opens it.</summary>
    private static void WaitForStart()
    {
        string path = $"/proc/self/fd/{SyncMessage.FifoFd}";
        int fd;
        while ((fd = Open(path, O_WRONLY | O_CLOEXEC)) < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR) continue;
            if (errno == Errno.ENOENT) throw new RuntimeException("exec.fifo: the container has no /proc");
            throw new ErrnoException("open exec.fifo", errno);
        }
        using var handle = new SafeFd(fd);
        WriteAll(fd, "0"u8);
        Close(SyncMessage.FifoFd);
    }
}
