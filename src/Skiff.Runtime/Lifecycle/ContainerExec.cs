using System.Globalization;
using System.Runtime.InteropServices;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Config;
using Skiff.Runtime.Options;
using Skiff.Runtime.Processes;
using Skiff.Runtime.State;
using OciProcess = Skiff.Oci.Runtime.Process;

namespace Skiff.Runtime.Lifecycle;

/// <summary>
/// `exec`: runs one more process in a container. The child of a clone (see CloneChild) joins the container's
/// namespaces with setns - its pid namespace through the cloning thread, the rest as steps of its program,
/// the user namespace first and the mount namespace last - then applies the process exactly as the init
/// does (LaunchPlan) and executes the program: no runtime code ever runs inside the container. The command
/// itself runs from a sealed copy of the runtime (Program.cs), since the clone is visible in the container's
/// pid namespace before it execs. Exits with the process's code unless --detach.
/// </summary>
public static class ContainerExec
{
    private static readonly (string Type, string ProcName, ulong Flag)[] Kinds =
    [
        ("user", "user", CloneFlags.NewUser), ("ipc", "ipc", CloneFlags.NewIpc), ("uts", "uts", CloneFlags.NewUts),
        ("network", "net", CloneFlags.NewNet), ("cgroup", "cgroup", CloneFlags.NewCgroup), ("time", "time", CloneFlags.NewTime),
        ("mount", "mnt", CloneFlags.NewNs),
    ];

    public static int Exec(StateStore store, ExecOptions options)
    {
        string id = options.Id;
        var record = store.Load(id);
        string status = store.StatusOf(record);
        if (status == "stopped") throw new RuntimeException($"cannot exec in a stopped container: {id}");
        if (status == "paused" && !options.IgnorePaused) throw new RuntimeException($"cannot exec in a paused container {id} (use --ignore-paused)");
        var spec = BundleConfig.Load(record.Bundle);
        if (options.Cgroups.Count > 0) throw new RuntimeException("exec --cgroup: running in a sub-cgroup of the container is not supported; the process joins the container's cgroup");
        var process = ExecProcess.Build(options, spec);
        SecurityLabels.ValidateProcess(process);
        if (process.Terminal == true && options.ConsoleSocket is null) throw new RuntimeException("--tty needs --console-socket to send the terminal to");
        if (options.PreserveFds < 0) throw new RuntimeException($"--preserve-fds {options.PreserveFds} is negative");

        int pid = record.Pid;
        var held = new List<SafeFd>();
        try
        {
            // The container's root as its init sees it; everything inside is resolved by the kernel from there.
            var root = Hold(held, OpenFromProc(pid, "root", Libc.O_PATH | Libc.O_DIRECTORY));
            string executable = ExecutableLookup.Resolve(root.Fd, process.Args![0], process.Env);
            SafeFd? cwd;
            try { cwd = Rootfs.InRootResolver.Resolve(root.Fd, process.Cwd); }
            catch (Exception e) when (e is IOException or RuntimeException) { throw new RuntimeException($"the working directory {process.Cwd} in container {id}: {e.Message}"); }
            if (cwd is null) throw new RuntimeException($"the working directory {process.Cwd} in container {id}: no such directory");
            var cwdFd = Hold(held, cwd);
            if (Rootfs.InRootResolver.KindOf(cwdFd.Fd) != Rootfs.NodeKind.Directory)
                throw new RuntimeException($"the working directory {process.Cwd} in container {id}: not a directory");

            var joins = new List<(string Type, ulong Flag, SafeFd Fd)>();
            SafeFd? pidNamespace = null;
            foreach (var ns in spec.Linux?.Namespaces ?? [])
            {
                if (ns.Type == "pid")
                {
                    if (!SameAsOurs(pid, "pid")) pidNamespace = Hold(held, OpenFromProc(pid, "ns/pid", Libc.O_RDONLY));
                    continue;
                }
                var kind = Kinds.FirstOrDefault(k => k.Type == ns.Type);
                if (kind.Type is null || SameAsOurs(pid, "ns/" + kind.ProcName)) continue;
                joins.Add((kind.Type, kind.Flag, Hold(held, OpenFromProc(pid, "ns/" + kind.ProcName, Libc.O_RDONLY))));
            }
            joins.Sort((a, b) => Order(a.Type).CompareTo(Order(b.Type)));

            SafeFd? slave = null;
            if (process.Terminal == true)
            {
                using var ptmx = Rootfs.InRootResolver.Resolve(root.Fd, "/dev/pts/ptmx")
                    ?? throw new RuntimeException($"container {id} has no /dev/pts/ptmx for a terminal");
                using var master = Libc.OpenFd($"/proc/self/fd/{ptmx.Fd}", Libc.O_RDWR | Libc.O_NOCTTY);
                slave = Hold(held, Libc.OpenPtySlave(master.Fd));
                if (process.ConsoleSize is { } size) Libc.SetWindowSize(slave.Fd, (ushort)size.Height, (ushort)size.Width);
                ConsoleSocket.Send(options.ConsoleSocket!, master);
            }

            var context = new LaunchContext
            {
                TerminalFd = slave?.Fd ?? -1,
                CwdFd = cwdFd.Fd,
                LastCapability = LaunchPlan.ReadLastCapability(),
                AvailableCapabilities = LaunchPlan.ReadPermittedCapabilities(),
                Personality = LaunchPlan.PersonalityOf(spec.Linux?.Personality),
                // The container's filter; a listener (SCMP_ACT_NOTIFY) gets the new process's fd through listenerPath too.
                Seccomp = Init.ContainerInit.SeccompFor(spec, store.ToOciState(record), ListenerFor(spec, held)),
            };
            var rlimits = ClampedRlimits(process);
            using var child = CloneChild.Start(new CloneStartInfo
            {
                Path = executable,
                Args = process.Args,
                Env = process.Env ?? [],
                PidNamespaceFd = pidNamespace?.Fd ?? -1,
                ParentDeathSignal = 0,
                ExtraFds = Enumerable.Range(3, options.PreserveFds).ToList(),
                Setup = p =>
                {
                    foreach (var (type, flag, fd) in joins) p.Setns(fd.Fd, flag, $"join the container's {type} namespace");
                    LaunchPlan.AddTerminal(p, context);
                },
                Final = p =>
                {
                    foreach (var (resource, name, soft, hard) in rlimits) p.Prlimit(resource, name, soft, hard);
                    LaunchPlan.AddProcess(p, process, context);
                },
            });
            ContainerCgroups.Join(record, child.Pid);
            if (process.OomScoreAdj is int adj) File.WriteAllText($"/proc/{child.Pid}/oom_score_adj", adj.ToString(CultureInfo.InvariantCulture));
            child.Release();
            if (child.LaunchError is { } error)
            {
                child.WaitForExit();
                throw new RuntimeException($"exec in container {id}: {error.Message}",
                    error.Errno == Errno.ENOENT ? 127 : error.Errno == Errno.EACCES ? 126 : 1);
            }
            if (options.PidFile is not null) PidFiles.Write(options.PidFile, child.Pid);
            if (options.Detach) return 0;
            foreach (var fd in held) fd.Dispose();
            held.Clear();
            using var forward = SignalForwarding.To(child.Pid);
            return child.WaitForExit();
        }
        finally
        {
            foreach (var fd in held) fd.Dispose();
        }
    }

    /// <summary>A socket to linux.seccomp.listenerPath, moved above the fds the launch program fills (0..2 and --preserve-fds).</summary>
    private static SafeFd? ListenerFor(Spec spec, List<SafeFd> held)
    {
        if (spec.Linux?.Seccomp?.ListenerPath is not { Length: > 0 } path) return null;
        using var socket = Libc.ConnectUnix(path);
        return Hold(held, new SafeFd(Libc.Check(Libc.Fcntl(socket.Fd, Libc.F_DUPFD_CLOEXEC, 1024), "dup of the seccomp listener socket")));
    }

    /// <summary>runc's order: the user namespace first (the others may belong to it), the mount namespace last.</summary>
    private static int Order(string type) => type switch { "user" => 0, "mount" => 2, _ => 1 };

    private static SafeFd Hold(List<SafeFd> held, SafeFd fd)
    {
        held.Add(fd);
        return fd;
    }

    private static SafeFd OpenFromProc(int pid, string what, int flags)
    {
        try { return Libc.OpenFd($"/proc/{pid}/{what}", flags); }
        catch (ErrnoException e) { throw new RuntimeException($"the container's init (pid {pid}) is gone or unreachable: /proc/{pid}/{what}: {Libc.StrError(e.Errno)}"); }
    }

    private static bool SameAsOurs(int pid, string nsFile)
    {
        try
        {
            return File.ResolveLinkTarget($"/proc/self/{nsFile}", false)?.ToString() == File.ResolveLinkTarget($"/proc/{pid}/{nsFile}", false)?.ToString();
        }
        catch (IOException) { return false; }
    }

    /// <summary>process.rlimits clamped to this host's hard limits (exec'd processes get the config's limits, as runc gives them).</summary>
    private static List<(int Resource, string Name, ulong Soft, ulong Hard)> ClampedRlimits(OciProcess process)
    {
        var result = new List<(int, string, ulong, ulong)>();
        foreach (var r in process.Rlimits ?? [])
        {
            int resource = Rlimits.Resource(r.Type);
            var (soft, hard) = Rlimits.Clamp(r.Soft, r.Hard, Libc.GetRlimit(resource).Hard);
            result.Add((resource, r.Type, soft, hard));
        }
        return result;
    }
}
