using System.Globalization;
using Skiff.Interop;
using Skiff.Interop.Launch;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Config;
using Skiff.Runtime.Hooks;
using Skiff.Runtime.Processes;
using Skiff.Runtime.Rootfs;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Init;

/// <summary>
/// `skiff-runtime init FD`: the container's first process. `create` starts it from a sealed memfd copy of the
/// runtime (so nothing in the container can reach the host's binary through /proc/self/exe), already in the
/// container's namespaces, with FD the init's end of an <see cref="InitChannel"/> and, below it, the fds of
/// --preserve-fds. The init
///   1. receives the setup (config.json and exec.fifo as fds),
///   2. builds the root: mounts and /dev; asks `create` to run prestart/createRuntime hooks; pivot_root;
///      masked and read-only paths; hostname; the pty for process.terminal (its master goes back to create),
///   3. finds the program, creates and opens the working directory inside the root, applies rlimits and
///      oom_score_adj, and prepares the final system calls (user, capabilities, seccomp, exec),
///   4. reports Ready (or an error and its exit code) and closes the channel,
///   5. waits for `start` on exec.fifo, then runs the final program: nothing after that is .NET code.
/// </summary>
public static class ContainerInit
{
    public static int Run(string channelFdText)
    {
        if (!int.TryParse(channelFdText, NumberStyles.None, CultureInfo.InvariantCulture, out int channelFd) || channelFd < 3)
        {
            Console.Error.WriteLine("skiff-runtime init: started without its channel: this command is for skiff-runtime itself");
            return 1;
        }
        Profiling.Mark("init: main");
        Fcntl(channelFd, F_SETFD, FD_CLOEXEC);
        // Directories and files the init creates (mount points, the working directory) come out 0755/0644.
        Umask(0x12);
        using var channel = new InitChannel(new SafeFd(channelFd));
        SyscallProgram program;
        SafeFd fifo;
        string fifoPath;
        Spec spec;
        Oci.Runtime.State state;
        var prepared = new Dictionary<int, Node>();
        try
        {
            using var setupMessage = channel.Receive() ?? throw new RuntimeException("create went away before sending the setup");
            if (setupMessage.Kind != InitMessageKind.Setup) throw new RuntimeException($"expected the setup, got {setupMessage.Kind}");
            var setup = InitChannel.ReadSetup(setupMessage);
            Profiling.Mark("init: setup received");
            using (var config = setupMessage.TakeFd(0))
                spec = BundleConfig.Parse(ReadToEnd(config.Fd, 16 << 20), Path.Combine(setup.Bundle, "config.json"));
            Profiling.Mark("init: config parsed");
            WaitUntilInCgroup(channel, (BundleConfig.NamespaceFlags(spec) & CloneFlags.NewCgroup) != 0);
            fifo = setupMessage.TakeFd(1);
            fifoPath = $"/proc/self/fd/{fifo.Fd}";
            SafeFd? listener = setup.SeccompListener ? setupMessage.TakeFd(2) : null;
            int next = setup.SeccompListener ? 3 : 2;
            foreach (int index in setup.IdmappedMounts ?? [])
                prepared[index] = IdmappedMounts.FromDescriptor(setupMessage.TakeFd(next++), spec.Mounts![index].Destination);
            state = new Oci.Runtime.State { Id = setup.Id, Status = "creating", Pid = setup.Pid, Bundle = setup.Bundle, Annotations = spec.Annotations };
            program = Prepare(spec, setup, state, channel, listener, prepared);
        }
        catch (Exception e)
        {
            var (code, message) = Describe(e);
            try { channel.SendError(code, message); }
            catch (IOException) { Console.Error.WriteLine($"skiff-runtime init: {message}"); }
            return code;
        }
        Profiling.Mark("init: ready");
        channel.Send(InitMessageKind.Ready);
        channel.Dispose();

        try
        {
            using var started = WaitForStart(fifoPath, fifo);
            state.Status = "created";
            HookRunner.RunStage(HookRunner.StartContainer, spec.Hooks, state, log: null);
            Profiling.Mark("init: exec");
            program.RunHere();
            return 1; // not reached: the program ends in execve
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"skiff-runtime init: {Describe(e).Message}");
            return e is LaunchException { Errno: Errno.ENOENT } ? 127 : e is LaunchException { Errno: Errno.EACCES } ? 126 : 1;
        }
    }

    /// <summary>
    /// Waits for create to have moved this process into the container's cgroup, then makes the new cgroup
    /// namespace if the config asks for one (rooted at that cgroup).
    /// </summary>
    private static void WaitUntilInCgroup(InitChannel channel, bool newCgroupNamespace)
    {
        using (var joined = channel.Receive() ?? throw new RuntimeException("create went away before the init was in its cgroup"))
            if (joined.Kind != InitMessageKind.CgroupJoined) throw new RuntimeException($"expected the cgroup to be joined, got {joined.Kind}");
        if (newCgroupNamespace) Check(Unshare((int)CloneFlags.NewCgroup), "create the container's cgroup namespace");
        Profiling.Mark("init: in its cgroup");
    }

    private static (int Code, string Message) Describe(Exception e) => e switch
    {
        RuntimeException r => (r.ExitCode, r.Message),
        UnauthorizedAccessException u => (1, $"permission denied: {u.Message}"),
        _ => (1, e.Message),
    };

    private static SyscallProgram Prepare(Spec spec, InitSetup setup, Oci.Runtime.State state, InitChannel channel, SafeFd? listener,
        Dictionary<int, Node> preparedMounts)
    {
        var process = spec.Process!;
        ulong namespaces = BundleConfig.NamespaceFlags(spec);
        // A new user namespace, or one we already run in (rootless Skiff runs the runtime inside its own):
        // either way mknod is refused and devices are bind-mounted from the host.
        bool inUserNamespace = (namespaces & CloneFlags.NewUser) != 0 || BundleConfig.JoinsNamespace(spec, "user") || !UserNamespaceInfo.IsInitial;
        string rootfs = BundleConfig.RootfsOf(spec, setup.Bundle);

        if ((namespaces & CloneFlags.NewTime) != 0) TimeNamespace.Create(spec.Linux?.TimeOffsets);
        using var root = new RootfsSetup(new LinuxMountKernel(), new RootfsRequest
        {
            Spec = spec, Rootfs = rootfs, Bundle = setup.Bundle, InUserNamespace = inUserNamespace, NoPivot = setup.NoPivot,
            PreparedMounts = preparedMounts,
        });
        root.MountAll();
        Profiling.Mark("init: mounts");
        if (spec.Hooks is { } hooks && (hooks.Prestart is { Count: > 0 } || hooks.CreateRuntime is { Count: > 0 }))
            AskCreateToRunHooks(channel, "createRuntime");
        HookRunner.RunStage(HookRunner.CreateContainer, spec.Hooks, state, log: null);
        root.SwitchRoot();
        Profiling.Mark("init: pivot");
        SafeFd? terminal = null;
        if (process.Terminal == true)
        {
            if (!setup.ConsoleSocket) throw new RuntimeException("process.terminal is true but create was given no --console-socket to send the terminal to");
            terminal = OpenTerminal(process, channel);
            root.MountConsole(new Node($"/dev/pts/{PtyNumberOf(terminal)}", NodeKind.Device, new SafeFd(terminal.Fd, ownsHandle: false)));
        }
        root.Finish();
        Profiling.Mark("init: finish");
        if ((namespaces & CloneFlags.NewUts) != 0)
        {
            if (!string.IsNullOrEmpty(spec.Hostname)) Check(SetHostname(spec.Hostname), "sethostname");
            if (!string.IsNullOrEmpty(spec.Domainname)) Check(SetDomainname(spec.Domainname), "setdomainname");
        }

        string executable = ExecutableLookup.Resolve("/", process.Args![0], process.Env);
        var cwd = OpenWorkingDirectory(process.Cwd);
        if (process.OomScoreAdj is int adj) File.WriteAllText("/proc/self/oom_score_adj", adj.ToString(CultureInfo.InvariantCulture));
        ApplyRlimits(process, channel);
        // The init no longer dies with create, which exits once the container is created.
        Check(Prctl(PR_SET_PDEATHSIG, 0), "prctl PR_SET_PDEATHSIG");

        var context = new LaunchContext
        {
            TerminalFd = terminal?.Fd ?? -1,
            CwdFd = cwd.Fd,
            LastCapability = LaunchPlan.ReadLastCapability(),
            AvailableCapabilities = LaunchPlan.ReadPermittedCapabilities(),
            Personality = LaunchPlan.PersonalityOf(spec.Linux?.Personality),
            Seccomp = SeccompFor(spec, state, listener, setup.Seccomp),
        };
        // The fds the program uses (terminal, cwd) stay open until execve, which closes them (O_CLOEXEC).
        return LaunchPlan.ForInit(process, executable, context, firstClosedFd: 3 + setup.PreserveFds);
    }

    /// <summary>linux.seccomp compiled for this host, with the listener socket and the message it gets (SCMP_ACT_NOTIFY).</summary>
    internal static SeccompInstall? SeccompFor(Spec spec, Oci.Runtime.State state, SafeFd? listener, Seccomp.SeccompFilter? compiled = null)
    {
        if (spec.Linux?.Seccomp is not { } profile) return null;
        var filter = compiled ?? Seccomp.SeccompCompiler.Compile(profile, System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture);
        if (!filter.UsesListener || listener is null) return new SeccompInstall { Program = filter.Program, Flags = filter.Flags };
        var message = new ContainerProcessState
        {
            Fds = ["seccompFd"], Pid = state.Pid, Metadata = profile.ListenerMetadata,
            State = new Oci.Runtime.State { Id = state.Id, Status = "running", Pid = state.Pid, Bundle = state.Bundle, Annotations = state.Annotations },
        };
        return new SeccompInstall
        {
            Program = filter.Program, Flags = filter.Flags, ListenerSocketFd = listener.Fd,
            ListenerMessage = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(message, RuntimeJsonContext.Default.ContainerProcessState),
        };
    }

    /// <summary>Asks create to run hooks in the runtime's namespaces, and waits for it to say they ran.</summary>
    private static void AskCreateToRunHooks(InitChannel channel, string kind)
    {
        channel.SendText(InitMessageKind.RunHooks, kind);
        using var reply = channel.Receive() ?? throw new RuntimeException($"create went away while running the {kind} hooks");
        if (reply.Kind != InitMessageKind.HooksDone) throw new RuntimeException($"expected the end of the {kind} hooks, got {reply.Kind}");
        string failure = InitChannel.ReadText(reply);
        if (failure.Length > 0) throw new RuntimeException(failure);
    }

    /// <summary>N of /dev/pts/N, read back from the slave's link in /proc.</summary>
    private static string PtyNumberOf(SafeFd slave) =>
        Path.GetFileName(File.ResolveLinkTarget($"/proc/self/fd/{slave.Fd}", false)?.ToString() ?? "0");

    /// <summary>A pty in the container's own devpts: the master goes to create (for --console-socket), the slave is returned.</summary>
    private static SafeFd OpenTerminal(Oci.Runtime.Process process, InitChannel channel)
    {
        using var master = OpenFd("/dev/ptmx", O_RDWR | O_NOCTTY);
        var slave = OpenPtySlave(master.Fd);
        if (process.ConsoleSize is { } size) SetWindowSize(slave.Fd, (ushort)size.Height, (ushort)size.Width);
        channel.Send(InitMessageKind.Console, default, master.Fd);
        return slave;
    }

    /// <summary>
    /// process.cwd inside the new root, created (0755) when missing as runc does, then opened O_PATH. Resolved
    /// by the kernel inside the root with magic links refused, so a cwd of /proc/self/fd/N cannot reach a
    /// descriptor that leads outside (the runc CVE-2024-21626 class).
    /// </summary>
    private static SafeFd OpenWorkingDirectory(string cwd)
    {
        if (!cwd.StartsWith('/')) throw new RuntimeException($"process.cwd {cwd} is not an absolute path");
        using var root = OpenFd("/", O_PATH | O_DIRECTORY);
        try
        {
            var dir = InRootResolver.Resolve(root.Fd, cwd, Create.Directory)
                ?? throw new RuntimeException($"process.cwd {cwd}: no such directory");
            if (InRootResolver.KindOf(dir.Fd) != NodeKind.Directory)
            {
                dir.Dispose();
                throw new RuntimeException($"process.cwd {cwd}: not a directory");
            }
            return dir;
        }
        catch (Exception e) when (e is IOException || (e is RuntimeException && !e.Message.StartsWith("process.cwd", StringComparison.Ordinal)))
        {
            throw new RuntimeException($"process.cwd {cwd}: {e.Message}");
        }
    }

    /// <summary>
    /// process.rlimits; without CAP_SYS_RESOURCE a hard limit can only be lowered, so a request above the current
    /// hard limit (podman asks 1048576 open files) is clamped to it, with a warning in the runtime's log.
    /// </summary>
    private static void ApplyRlimits(Oci.Runtime.Process process, InitChannel channel)
    {
        foreach (var r in process.Rlimits ?? [])
        {
            int resource = Rlimits.Resource(r.Type);
            if (r.Soft > r.Hard) throw new RuntimeException($"rlimit {r.Type}: the soft limit {r.Soft} is above the hard limit {r.Hard}");
            if (SetRlimit(resource, r.Soft, r.Hard) == 0) continue;
            var (_, currentHard) = GetRlimit(resource);
            var (soft, hard) = Rlimits.Clamp(r.Soft, r.Hard, currentHard);
            Check(SetRlimit(resource, soft, hard), $"setrlimit {r.Type} {soft}/{hard}");
            channel.SendText(InitMessageKind.Warning, $"{r.Type} {r.Soft}/{r.Hard} is above this host's hard limit: the container gets {soft}/{hard}");
        }
    }

    /// <summary>
    /// Opens exec.fifo for writing through /proc (its path is outside our root now): blocks until `start` opens it,
    /// then writes the byte `start` waits for. The fd stays open (O_CLOEXEC) until execve closes it: that end of
    /// file tells `start` the program runs.
    /// </summary>
    private static SafeFd WaitForStart(string path, SafeFd fifo)
    {
        int fd;
        while ((fd = Open(path, O_WRONLY | O_CLOEXEC)) < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR) continue;
            if (errno == Errno.ENOENT) throw new RuntimeException("exec.fifo: the container has no /proc");
            throw new ErrnoException("open exec.fifo", errno);
        }
        var handle = new SafeFd(fd);
        WriteAll(fd, "0"u8);
        fifo.Dispose();
        return handle;
    }
}
