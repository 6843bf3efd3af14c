using System.Globalization;
using Skiff.Interop;
using Skiff.Interop.Launch;
using Skiff.Runtime.Config;
using Skiff.Runtime.Hooks;
using Skiff.Runtime.Options;
using Skiff.Runtime.Rootfs;
using Skiff.Runtime.Init;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Lifecycle;

/// <summary>
/// `create`: starts the container's init (this very binary, `init FD`, run from a sealed memfd copy) with
/// CloneChild in the namespaces of the config, joins the namespaces given by path, writes its id maps,
/// sends it the setup over an <see cref="InitChannel"/>, serves its requests (hooks, the console) until it
/// reports ready or fails, and records the container. The init inherits this process's stdio: it becomes
/// the container's stdio unless process.terminal asks for a pty.
/// </summary>
public static class ContainerCreator
{
    /// <summary>Creates the container; returns the init (a child of this process, which `run` waits for).</summary>
    public static unsafe CloneChild Create(StateStore store, CreateOptions options, RuntimeLog? log = null, bool systemdCgroup = false, bool? rootlessCgroups = null)
    {
        string id = options.Id;
        string bundle = Path.GetFullPath(options.Bundle);
        Profiling.Mark("create: start");
        if (!systemdCgroup) Cgroups.AttachPrimer.Start();
        var spec = BundleConfig.Load(bundle);
        if (options.ReexecSealedWhenJoiningPid is { } argv && BundleConfig.JoinsNamespace(spec, "pid"))
            SealedExecutable.ReexecSealed(argv, store.EmptyDirectory);
        HookRunner.Validate(spec.Hooks);
        SecurityLabels.Validate(spec);
        Sysctl.Validate(spec, Sysctl.IsRuntimeNetworkNamespace);
        // Compiled here, so that a bad profile is create's one-line error; the init gets the program with its setup.
        var seccompFilter = spec.Linux?.Seccomp is { } seccomp
            ? Seccomp.SeccompCompiler.Compile(seccomp, System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture) : null;
        if (options.PreserveFds < 0) throw new RuntimeException($"--preserve-fds {options.PreserveFds} is negative");
        if (spec.Process!.Terminal == true && options.ConsoleSocket is null && options.ConsoleReceiver is null)
            throw new RuntimeException("process.terminal is true: give --console-socket to receive the terminal");
        ulong newNamespaces = BundleConfig.NamespaceFlags(spec);
        if ((newNamespaces & CloneFlags.NewNs) == 0 && !BundleConfig.JoinsNamespace(spec, "mount"))
            throw new RuntimeException("a mount namespace is required");
        if (spec.Linux?.TimeOffsets is { Count: > 0 } && (newNamespaces & CloneFlags.NewTime) == 0)
            throw new RuntimeException("linux.timeOffsets needs a new time namespace in linux.namespaces");
        if (BundleConfig.JoinsNamespace(spec, "user") && (newNamespaces & CloneFlags.NewPid) != 0)
            throw new RuntimeException("a new pid namespace inside a user namespace joined by path is not supported yet");

        Profiling.Mark("create: config loaded and checked");
        string dir = store.CreateDir(id);
        CloneChild? child = null;
        Cgroups.CgroupState? cgroup = null;
        var held = new List<SafeFd>();
        try
        {
            using var dirLock = store.Lock(id);
            string fifo = Path.Combine(dir, StateStore.FifoName);
            Libc.Check(Libc.Mkfifo(fifo, 0x180), $"mkfifo {fifo}"); // 0600, then 0622 so a non-root container user can open it
            File.SetUnixFileMode(fifo, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
            var fifoFd = Hold(held, Libc.OpenFd(fifo, Libc.O_PATH));
            var configFd = Hold(held, Libc.OpenFd(Path.Combine(bundle, "config.json"), Libc.O_RDONLY));
            var listenerFd = spec.Linux?.Seccomp?.ListenerPath is { Length: > 0 } listenerPath
                ? Hold(held, ConnectListener(listenerPath)) : null;
            var (channelFd, initEnd) = Libc.SocketPair();
            using var channel = new InitChannel(channelFd);
            Hold(held, initEnd);
            var runtimeCopy = Hold(held, SealedExecutable.Create(emptyDirectory: store.EmptyDirectory));
            Profiling.Mark("create: sealed copy");
            var joins = BundleConfig.NamespacesToJoin(spec).Select(j => (j.Type, j.Flag, j.Path, Fd: Hold(held, OpenNamespace(j.Type, j.Path)))).ToList();
            var pidNamespace = joins.FirstOrDefault(j => j.Type == "pid").Fd;

            // New namespaces come from clone, except: the init makes a new cgroup namespace once it is in its
            // cgroup (CgroupJoined), so that cgroup is its root, and a new time namespace (with its offsets); and
            // under a user namespace joined by path every new namespace is made after joining it, so that it
            // belongs to it.
            bool joinsUser = BundleConfig.JoinsNamespace(spec, "user");
            const ulong madeByInit = CloneFlags.NewCgroup | CloneFlags.NewTime;
            ulong cloneFlags = joinsUser ? 0 : newNamespaces & ~madeByInit;
            ulong unshareFlags = joinsUser ? newNamespaces & ~madeByInit : 0;

            // fds 3..3+N-1 pass through to the container (--preserve-fds); the channel follows them.
            var extra = Enumerable.Range(3, options.PreserveFds).ToList();
            extra.Add(initEnd.Fd);
            child = CloneChild.Start(new CloneStartInfo
            {
                ExecFd = runtimeCopy.Fd,
                Args = ["skiff-runtime", "init", (3 + options.PreserveFds).ToString(CultureInfo.InvariantCulture)],
                Env = Profiling.On ? ["SKIFF_RUNTIME_PROFILE=1"] : [],
                NamespaceFlags = cloneFlags,
                PidNamespaceFd = pidNamespace?.Fd ?? -1,
                ParentDeathSignal = Libc.SIGKILL, // the init clears it once ready
                ExtraFds = extra,
                Setup = p =>
                {
                    foreach (var j in joins.Where(j => j.Type != "pid"))
                        p.Setns(j.Fd.Fd, j.Flag, $"join the {j.Type} namespace at {j.Path}");
                    if (unshareFlags != 0) p.Add("create the container's namespaces", Sys.Unshare, (long)unshareFlags);
                    if (!options.NoNewKeyring) p.Add("join a new session keyring", Sys.Keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, (long)p.CString($"_ses.{id}"));
                },
            });
            initEnd.Dispose();
            Profiling.Mark("create: cloned");
            if ((newNamespaces & CloneFlags.NewUser) != 0)
                IdMapWriter.Write(child.Pid, spec.Linux?.UidMappings, spec.Linux?.GidMappings);
            child.Release();
            if (child.LaunchError is { } launch) throw new RuntimeException($"starting the container's init: {launch.Message}");

            // Under a user namespace of its own the init may not idmap the host's mounts: create does, and passes the trees.
            var idmapped = (newNamespaces & CloneFlags.NewUser) != 0 || joinsUser
                ? IdmappedMounts.Prepare(new LinuxMountKernel(), spec, bundle) : [];
            foreach (var node in idmapped.Values) held.Add(node.Fd!);
            var setup = new InitSetup
            {
                Id = id, Bundle = bundle, Pid = child.Pid, NoPivot = options.NoPivot, NoNewKeyring = options.NoNewKeyring,
                PreserveFds = options.PreserveFds, ConsoleSocket = options.ConsoleSocket is not null || options.ConsoleReceiver is not null, SeccompListener = listenerFd is not null,
                IdmappedMounts = idmapped.Count > 0 ? [.. idmapped.Keys.Order()] : null, Seccomp = seccompFilter,
            };
            var setupFds = new List<int> { configFd.Fd, fifoFd.Fd };
            if (listenerFd is not null) setupFds.Add(listenerFd.Fd);
            setupFds.AddRange(idmapped.OrderBy(kv => kv.Key).Select(kv => kv.Value.Fd!.Fd));
            if (setupFds.Count > Libc.MaxFdsPerMessage) throw new RuntimeException($"too many idmapped mounts ({idmapped.Count}): at most {Libc.MaxFdsPerMessage - 3}");
            channel.SendSetup(setup, [.. setupFds]);
            Profiling.Mark("create: setup sent");
            // The cgroup, its limits and device rules, and the init moved in while it starts: it waits for
            // CgroupJoined before anything the cgroup governs (a cgroup namespace, mounts, hooks, the program).
            cgroup = ContainerCgroups.Create(spec, id, child.Pid, systemdCgroup, rootlessCgroups);
            Profiling.Mark("create: cgroup made");
            try { channel.Send(InitMessageKind.CgroupJoined); }
            catch (IOException) { /* the init failed early: its error is waiting in the channel, read below */ }
            ServeUntilReady(channel, child, options, spec, new Oci.Runtime.State
            {
                Id = id, Status = "creating", Pid = child.Pid, Bundle = bundle, Annotations = spec.Annotations,
            }, log);

            Profiling.Mark("create: init ready");
            var stat = ProcStat.Read(child.Pid) ?? throw new RuntimeException("the container's init exited before it was ready");
            store.Save(new ContainerRecord
            {
                Id = id,
                Pid = child.Pid,
                PidStartTime = stat.StartTime,
                Bundle = bundle,
                Created = DateTimeOffset.UtcNow,
                Annotations = spec.Annotations,
                Cgroup = cgroup,
                Hooks = spec.Hooks is { } h && (h.Poststart is { Count: > 0 } || h.Poststop is { Count: > 0 })
                    ? new Oci.Runtime.Hooks { Poststart = h.Poststart, Poststop = h.Poststop } : null,
            });
            if (options.PidFile is not null) PidFiles.Write(options.PidFile, child.Pid);
            return child;
        }
        catch
        {
            if (child is not null)
            {
                Libc.Kill(child.Pid, Libc.SIGKILL);
                child.Dispose();
                try { child.WaitForExit(); }
                catch (ErrnoException) { /* already reaped */ }
            }
            // A cgroup made before the failure is removed here: the record that would lead delete to it was not saved.
            if (cgroup is not null && !store.Exists(id))
            {
                try { ContainerCgroups.Destroy(new ContainerRecord { Id = id, Cgroup = cgroup }); }
                catch (RuntimeException e) { (log ?? new RuntimeLog()).Warn(e.Message); }
            }
            store.Remove(id);
            throw;
        }
        finally
        {
            foreach (var fd in held) fd.Dispose();
        }
    }

    private static SafeFd Hold(List<SafeFd> held, SafeFd fd)
    {
        held.Add(fd);
        return fd;
    }

    private static SafeFd OpenNamespace(string type, string path)
    {
        try { return Libc.OpenFd(path, Libc.O_RDONLY); }
        catch (ErrnoException e) { throw new RuntimeException($"the {type} namespace to join at {path}: {Libc.StrError(e.Errno)}"); }
    }

    private static SafeFd ConnectListener(string path)
    {
        try { return Libc.ConnectUnix(path); }
        catch (Exception e) when (e is IOException) { throw new RuntimeException($"linux.seccomp.listenerPath: {e.Message}"); }
    }

    /// <summary>Answers the init until it is ready: warnings to the log, the console to --console-socket, hooks run here.</summary>
    private static void ServeUntilReady(InitChannel channel, CloneChild child, CreateOptions options, Oci.Runtime.Spec spec,
        Oci.Runtime.State state, RuntimeLog? log)
    {
        while (true)
        {
            using var message = channel.Receive();
            if (message is null)
            {
                int code = child.WaitForExit();
                throw new RuntimeException($"the container's init exited before it was ready (exit code {code})");
            }
            switch (message.Kind)
            {
                case InitMessageKind.Ready:
                    return;
                case InitMessageKind.Error:
                    var error = InitChannel.ReadError(message);
                    child.WaitForExit();
                    throw new RuntimeException(error.Message, error.Code);
                case InitMessageKind.Warning:
                    (log ?? new RuntimeLog()).Warn(InitChannel.ReadText(message));
                    break;
                case InitMessageKind.Console:
                    if (options.ConsoleReceiver is { } receive) receive(message.TakeFd(0));
                    else using (var master = message.TakeFd(0)) ConsoleSocket.Send(options.ConsoleSocket!, master);
                    break;
                case InitMessageKind.RunHooks:
                    // prestart (deprecated, same moment) then createRuntime, in the runtime's namespaces.
                    try
                    {
                        HookRunner.RunStage(HookRunner.Prestart, spec.Hooks, state, log);
                        HookRunner.RunStage(HookRunner.CreateRuntime, spec.Hooks, state, log);
                        channel.Send(InitMessageKind.HooksDone);
                    }
                    catch (RuntimeException e)
                    {
                        channel.SendText(InitMessageKind.HooksDone, e.Message);
                    }
                    break;
                default:
                    throw new RuntimeException($"the container's init sent an unexpected {message.Kind} message");
            }
        }
    }
}

/// <summary>--console-socket: the pty master is sent over a unix socket at that path, as runc does (SCM_RIGHTS).</summary>
public static class ConsoleSocket
{
    public static void Send(string path, SafeFd master)
    {
        try
        {
            using var socket = Libc.ConnectUnix(path);
            Libc.SendWithFds(socket.Fd, "/dev/ptmx"u8, [master.Fd]);
        }
        catch (IOException e)
        {
            throw new RuntimeException($"--console-socket {path}: {e.Message}");
        }
    }
}
