using Skiff.Interop;
using Skiff.Runtime.Config;
using Skiff.Runtime.Init;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Lifecycle;

/// <summary>
/// `create`: starts the container's init (this very binary, `init BUNDLE`) with CloneChild in the
/// namespaces of the config, writes its id maps, waits until it reports ready or fails, and records
/// the container. The init inherits this process's stdio: it becomes the container's stdio.
/// </summary>
public static class ContainerCreator
{
    /// <summary>Creates the container; returns the init (a child of this process, which `run` waits for).</summary>
    public static CloneChild Create(StateStore store, string id, string bundle, string? pidFile, bool systemdCgroup = false)
    {
        bundle = Path.GetFullPath(bundle);
        var spec = BundleConfig.Load(bundle);
        if (spec.Process!.Terminal == true) throw new RuntimeException("process.terminal: terminals are not supported yet");
        ulong namespaces = BundleConfig.NamespaceFlags(spec);
        if ((namespaces & CloneFlags.NewNs) == 0) throw new RuntimeException("a mount namespace is required");
        string self = Environment.ProcessPath ?? throw new RuntimeException("cannot find this program's path");

        string dir = store.CreateDir(id);
        CloneChild? child = null;
        Cgroups.CgroupState? cgroup = null; // [cgroups]
        try
        {
            using var dirLock = store.Lock(id);
            string fifo = Path.Combine(dir, StateStore.FifoName);
            Libc.Check(Libc.Mkfifo(fifo, 0x180), $"mkfifo {fifo}"); // 0600, then 0622 so a non-root container user can open it
            File.SetUnixFileMode(fifo, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
            int fifoFd = Libc.Open(fifo, Libc.O_PATH | Libc.O_CLOEXEC);
            if (fifoFd < 0) Libc.ThrowErrno($"open {fifo}");
            using var fifoHandle = new SafeFd(fifoFd);
            string configFile = Path.Combine(bundle, "config.json");
            int configFd = Libc.Open(configFile, Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (configFd < 0) Libc.ThrowErrno($"open {configFile}");
            using var configHandle = new SafeFd(configFd);
            var (syncRead, syncWrite) = Libc.Pipe2();
            using (syncRead)
            {
                using (syncWrite)
                {
                    child = CloneChild.Start(new CloneStartInfo
                    {
                        Path = self,
                        Args = ["skiff-runtime", "init", bundle],
                        Env = [],
                        NamespaceFlags = namespaces & ~CloneFlags.NewCgroup, // [cgroups] the init unshares it once in its cgroup
                        ParentDeathSignal = Libc.SIGKILL, // the init clears it once ready
                        ExtraFds = [syncWrite.Fd, fifoFd, configFd],
                    });
                }
                if ((namespaces & CloneFlags.NewUser) != 0)
                    IdMapWriter.Write(child.Pid, spec.Linux?.UidMappings, spec.Linux?.GidMappings);
                // [cgroups] begin: the cgroup, its limits and device rules, with the init moved in while it waits
                cgroup = ContainerCgroups.Create(spec, id, child.Pid, systemdCgroup);
                // [cgroups] end
                child.Release();
                try { SyncMessage.Receive(syncRead.Fd); }
                catch (RuntimeException)
                {
                    child.WaitForExit();
                    throw;
                }
            }
            var stat = ProcStat.Read(child.Pid) ?? throw new RuntimeException("container init exited before it was ready");
            store.Save(new ContainerRecord
            {
                Id = id,
                Pid = child.Pid,
                PidStartTime = stat.StartTime,
                Bundle = bundle,
                Created = DateTimeOffset.UtcNow,
                Annotations = spec.Annotations,
                Cgroup = cgroup, // [cgroups]
            });
            if (pidFile is not null) WritePidFile(pidFile, child.Pid);
            return child;
        }
        catch
        {
            if (child is not null)
            {
                Libc.Kill(child.Pid, Libc.SIGKILL);
                child.Dispose();
            }
            // [cgroups] begin: a cgroup made before the failure is removed (the record was not saved yet)
            if (cgroup is not null && !store.Exists(id))
            {
                if (child is not null) { try { Libc.WaitPid(child.Pid, out _); } catch (ErrnoException) { } }
                try { ContainerCgroups.Destroy(new ContainerRecord { Id = id, Cgroup = cgroup }); }
                catch (RuntimeException e) { Console.Error.WriteLine($"skiff-runtime: warning: {e.Message}"); }
            }
            // [cgroups] end
            store.Remove(id);
            throw;
        }
    }

    private static void WritePidFile(string pidFile, int pid)
    {
        string full = Path.GetFullPath(pidFile);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        File.WriteAllText(temp, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(temp, full, overwrite: true);
    }
}
