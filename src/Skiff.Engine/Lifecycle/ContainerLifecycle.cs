using System.Globalization;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.Events;
using Skiff.Engine.Images;
using Skiff.Engine.Runtime;
using Skiff.Engine.Volumes;
using Skiff.Interop;
using Skiff.Storage;
using Skiff.Storage.Locking;

namespace Skiff.Engine.Lifecycle;

/// <summary>
/// A container's life after create: start (a monitor and the runtime's create, then start), cleanup once it has
/// exited (runtime delete, unmount, exit code recorded, then --rm or the restart policy), stop, kill and remove.
/// Each change happens under the container's own lock, so commands on one container take turns and commands on
/// different containers never wait for each other. Cleanup is idempotent: the monitor's exit command, the
/// foreground `run` and any later command that notices the exit may all call it.
/// </summary>
public sealed class ContainerLifecycle(SkiffPaths paths, ImageService images)
{
    private readonly ContainerStore _store = new(paths);
    private readonly EventLog _events = EventLog.For(paths);

    public ContainerStore Store => _store;

    public SkiffPaths Paths => paths;

    /// <summary>The event log this store's lifecycle writes to.</summary>
    public EventLog Events => _events;

    /// <summary>Starts a created or exited container; a running one is left as it is. <paramref name="beforeStart"/> runs between create and start (attach).</summary>
    public ContainerRecord Start(string nameOrId, Action<ContainerFiles>? beforeStart = null)
    {
        var (record, files) = Locate(nameOrId);
        using var l = FileLock.AcquireExclusive(files.LockFile);
        record = Reload(record.Id);
        record = CleanupLocked(record, files, allowRestart: false) ?? throw NoSuchContainer(nameOrId);
        return StartLocked(record, files, beforeStart);
    }

    /// <summary>
    /// `container init`: the monitor and the runtime's create, the container's process waiting to be started
    /// (state initialized); `start` then only starts it. podman refuses a container already created in the runtime.
    /// </summary>
    public ContainerRecord Init(string nameOrId)
    {
        var (record, files) = Locate(nameOrId);
        using var l = FileLock.AcquireExclusive(files.LockFile);
        record = CleanupLocked(Reload(record.Id), files, allowRestart: false) ?? throw NoSuchContainer(nameOrId);
        if (record.State is ContainerStates.Running or ContainerStates.Initialized)
            throw new EngineException($"container {record.Id} has already been created in runtime: container state improper");
        return InitLocked(record, files);
    }

    private ContainerRecord InitLocked(ContainerRecord record, ContainerFiles files)
    {
        if (record.State == ContainerStates.Configured)
            throw new EngineException($"container {record.Id} was not completely created (its create was interrupted): remove it with `skiff rm {record.Name}`");
        var runtime = RuntimeOf(record);
        DeleteFromRuntime(runtime, record.Id);
        TryDelete(files.ExitFile);
        TryDelete(files.PidFile);
        ContainerMounts.Remount(paths, images, record.Id, record.ImageId);
        MonitorProcess.Started started;
        try { started = MonitorProcess.Spawn(paths, record, files, runtime); }
        catch (EngineException)
        {
            ContainerMounts.Unmount(paths, record.Id); // it stays created, as podman leaves it, with nothing mounted
            throw;
        }
        _events.Container(record, "init");
        return _store.Update(record.Id, r =>
        {
            r.State = ContainerStates.Initialized;
            r.Pid = started.ContainerPid;
            r.PidStartTime = ProcessIdentity.StartTime(started.ContainerPid);
            r.MonitorPid = started.MonitorPid;
            r.MonitorStartTime = ProcessIdentity.StartTime(started.MonitorPid);
            r.StartedAt = null;
            r.FinishedAt = null;
            r.ExitCode = null;
            r.StoppedByUser = false;
        }) ?? throw NoSuchContainer(record.Id);
    }

    private ContainerRecord StartLocked(ContainerRecord record, ContainerFiles files, Action<ContainerFiles>? beforeStart)
    {
        if (record.State == ContainerStates.Running) return record;
        if (record.State != ContainerStates.Initialized) record = InitLocked(record, files);
        var runtime = RuntimeOf(record);
        record = _store.Update(record.Id, r =>
        {
            r.State = ContainerStates.Running;
            r.StartedAt = DateTimeOffset.UtcNow;
        }) ?? throw NoSuchContainer(record.Id);
        beforeStart?.Invoke(files);
        if (runtime.Start(record.Id) != 0)
        {
            runtime.Delete(record.Id, force: true); // the monitor sees the init go, and its cleanup waits for our lock
            throw new EngineException($"the OCI runtime {Path.GetFileName(runtime.Path)} failed to start container {record.Name}");
        }
        _events.Container(record, "start");
        return record;
    }

    /// <summary>Finishes a container that has exited (the monitor's exit command calls this); does nothing while it runs.</summary>
    public void Cleanup(string id)
    {
        if (_store.Get(id) is not { } record) return;
        var files = Files(record.Id);
        using var l = FileLock.AcquireExclusive(files.LockFile);
        if (_store.Get(id) is { } current) CleanupLocked(current, files, allowRestart: true);
    }

    /// <summary>The record as it is now: a container that is recorded as running but has exited is cleaned up first.</summary>
    public ContainerRecord? Refresh(ContainerRecord record)
    {
        if (!HasProcess(record)) return record;
        // ps refreshes every container: the run directories are made only for the one that needs its lock.
        if (!File.Exists(new ContainerFiles(paths, record.Id).ExitFile) && ProcessIdentity.IsAlive(record.Pid, record.PidStartTime)) return record;
        var files = Files(record.Id);
        using var l = FileLock.AcquireExclusive(files.LockFile);
        return _store.Get(record.Id) is { } current ? CleanupLocked(current, files, allowRestart: true) : null;
    }

    /// <summary>Running, or initialized: the runtime has created its process.</summary>
    private static bool HasProcess(ContainerRecord record) => record.State is ContainerStates.Running or ContainerStates.Initialized;

    private ContainerRecord? CleanupLocked(ContainerRecord record, ContainerFiles files, bool allowRestart)
    {
        if (!HasProcess(record)) return record;
        var (exitCode, finished) = ReadExit(files);
        if (exitCode is null)
        {
            if (ProcessIdentity.IsAlive(record.Pid, record.PidStartTime)) return record;
            // The init is gone: its monitor writes the exit file in a moment, unless the monitor is gone too.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (exitCode is null && ProcessIdentity.IsAlive(record.MonitorPid, record.MonitorStartTime) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
                (exitCode, finished) = ReadExit(files);
            }
        }
        var runtime = RuntimeOf(record);
        DeleteFromRuntime(runtime, record.Id);
        ContainerMounts.Unmount(paths, record.Id);
        ContainerVolumes.DiscardOverlays(files.Layer.Dir); // O: the changes end with the container's run (podman)
        TryDelete(files.ExitFile);
        var exited = _store.Update(record.Id, r =>
        {
            r.State = ContainerStates.Exited;
            r.ExitCode = exitCode ?? -1; // killed with its monitor: nobody saw the code
            r.FinishedAt = finished ?? DateTimeOffset.UtcNow;
            r.Pid = null;
            r.PidStartTime = null;
            r.MonitorPid = null;
            r.MonitorStartTime = null;
        });
        if (exited is null) return null;
        _events.Container(exited, "died", exited.ExitCode ?? -1);
        _events.Container(exited, "cleanup");
        if (allowRestart && ShouldRestart(exited))
        {
            exited = _store.Update(exited.Id, r => r.RestartCount++) ?? exited;
            try { return StartLocked(exited, files, null); }
            catch (EngineException) { return exited; } // the image is gone, say: it stays exited
        }
        if (exited.AutoRemove)
        {
            RemoveLocked(exited, files, removeVolumes: true); // run --rm: its anonymous volumes go too (podman)
            return null;
        }
        return exited;
    }

    private static bool ShouldRestart(ContainerRecord r) => !r.StoppedByUser && r.RestartPolicy switch
    {
        "always" or "unless-stopped" => true,
        "on-failure" => r.ExitCode != 0 && (r.RestartRetries == 0 || r.RestartCount < r.RestartRetries),
        _ => false,
    };

    /// <summary>
    /// Stops a running container: its stop signal, then SIGKILL after <paramref name="timeout"/> seconds (the
    /// container's own --stop-timeout when null). Returns the record once it has been cleaned up.
    /// </summary>
    public ContainerRecord? Stop(string nameOrId, int? timeout)
    {
        var (record, files) = Locate(nameOrId);
        using var l = FileLock.AcquireExclusive(files.LockFile);
        return StopLocked(Reload(record.Id), files, timeout);
    }

    private ContainerRecord? StopLocked(ContainerRecord record, ContainerFiles files, int? timeout)
    {
        var current = CleanupLocked(record, files, allowRestart: false);
        if (current is null || !HasProcess(current)) return current;
        current = _store.Update(current.Id, r => r.StoppedByUser = true) ?? current;
        var runtime = RuntimeOf(current);
        // An initialized container's process has not started its program: nothing to shut down gracefully.
        int seconds = current.State == ContainerStates.Initialized ? 0 : timeout ?? current.StopTimeout;
        if (seconds > 0)
        {
            runtime.Kill(current.Id, current.StopSignal);
            WaitForExit(current, TimeSpan.FromSeconds(seconds));
        }
        if (ProcessIdentity.IsAlive(current.Pid, current.PidStartTime))
        {
            runtime.Kill(current.Id, Libc.SIGKILL);
            WaitForExit(current, TimeSpan.FromSeconds(10));
        }
        var stopped = CleanupLocked(current, files, allowRestart: false);
        _events.Container(stopped ?? current, "stop");
        return stopped;
    }

    /// <summary>Sends <paramref name="signal"/> to a running container's init.</summary>
    public ContainerRecord Kill(string nameOrId, int signal)
    {
        var (record, _) = Locate(nameOrId);
        var current = Refresh(record) ?? throw NoSuchContainer(nameOrId);
        if (current.State != ContainerStates.Running)
            throw new EngineException($"can only kill running containers. {current.Id} is in state {StateWord(current.State)}: container state improper");
        // As podman's: a container the user signalled is not restarted by its policy when it exits.
        _store.Update(current.Id, r => r.StoppedByUser = true);
        if (RuntimeOf(current).Kill(current.Id, signal) != 0)
            throw new EngineException($"the OCI runtime could not send signal {signal} to container {current.Name}");
        _events.Container(current, "kill");
        return current;
    }

    /// <summary>Removes a container: a running one only with <paramref name="force"/> (stopped first, as podman does).</summary>
    public string Remove(string nameOrId, bool force, int? timeout, bool volumes = false)
    {
        var (record, files) = Locate(nameOrId);
        using var l = FileLock.AcquireExclusive(files.LockFile);
        var current = CleanupLocked(Reload(record.Id), files, allowRestart: false);
        if (current is null) return record.Id; // it was an --rm container that had just exited
        if (current.State == ContainerStates.Running)
        {
            if (!force)
                throw new EngineException($"cannot remove container {current.Id} as it is running - running or paused containers cannot be removed without force: container state improper", ErrorKind.InUse);
            current = _store.Update(current.Id, r => r.AutoRemove = false) ?? current; // removed here, not by its cleanup
            current = StopLocked(current, files, timeout);
            if (current is null) return record.Id;
        }
        else if (current.State == ContainerStates.Initialized)
        {
            // Its waiting process goes first, so that its monitor's exit file is read and removed with it.
            current = _store.Update(current.Id, r => r.AutoRemove = false) ?? current;
            current = StopLocked(current, files, 0);
            if (current is null) return record.Id;
        }
        RemoveLocked(current, files, volumes);
        return current.Id;
    }

    /// <summary>Removes whatever exists of a container (after a failed create): never throws.</summary>
    public void RemoveQuietly(string id)
    {
        try
        {
            var files = Files(id);
            using var l = FileLock.AcquireExclusive(files.LockFile);
            RemoveLocked(_store.Get(id) ?? new ContainerRecord { Id = id }, files, removeVolumes: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EngineException or ErrnoException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Warning: removing what was created of container {id}: {ErrorText.Of(e)}");
        }
    }

    /// <summary>Removes what there is of the container; with <paramref name="removeVolumes"/>, its anonymous volumes once it is gone (rm -v).</summary>
    private void RemoveLocked(ContainerRecord record, ContainerFiles files, bool removeVolumes)
    {
        DeleteFromRuntime(RuntimeOf(record), record.Id);
        ContainerMounts.Unmount(paths, record.Id);
        new ContainerLayerStore(paths.GraphRoot).Remove(record.Id);
        TryDelete(files.ExitFile);
        TryDelete(files.AttachSocket);
        if (Directory.Exists(files.RunDir)) Directory.Delete(files.RunDir, recursive: true);
        _store.Remove(record.Id);
        TryDelete(files.LockFile);
        if (removeVolumes && record.AnonymousVolumes.Count > 0) new VolumeService(paths).RemoveAnonymous(record.AnonymousVolumes);
        if (record.Name.Length > 0) _events.Container(record, "remove");
    }

    /// <summary>Waits until the container is no longer running (checking every <paramref name="interval"/>); returns its record, null once removed.</summary>
    public ContainerRecord? Wait(string nameOrId, TimeSpan interval, Func<ContainerRecord, bool>? until = null)
    {
        var (record, _) = Locate(nameOrId);
        until ??= r => r.State is not ContainerStates.Running;
        while (true)
        {
            var current = _store.Get(record.Id) is { } r ? Refresh(r) : null;
            if (current is null || until(current)) return current;
            Thread.Sleep(interval);
        }
    }

    private static void WaitForExit(ContainerRecord record, TimeSpan timeout)
    {
        if (record.Pid is not int pid) return;
        SafeFd pidfd;
        try { pidfd = Libc.PidfdOpen(pid); }
        catch (ErrnoException) { return; } // already gone
        using (pidfd)
        {
            if (!ProcessIdentity.IsAlive(record.Pid, record.PidStartTime)) return;
            Libc.PollOne(pidfd.Fd, Libc.POLLIN, (int)timeout.TotalMilliseconds);
        }
    }

    private static (int? Code, DateTimeOffset? Finished) ReadExit(ContainerFiles files)
    {
        try
        {
            string text = File.ReadAllText(files.ExitFile).Trim();
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int code)
                ? (code, new DateTimeOffset(File.GetLastWriteTimeUtc(files.ExitFile), TimeSpan.Zero)) : (null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (null, null); }
    }

    private OciRuntime RuntimeOf(ContainerRecord record)
        => record.Runtime is { } path ? OciRuntime.At(path, paths.RunRoot) : OciRuntime.Locate(null, paths.RunRoot);

    /// <summary>runtime delete --force when the runtime still knows the container (a created or crashed one).</summary>
    private static void DeleteFromRuntime(OciRuntime runtime, string id)
    {
        if (Directory.Exists(Path.Combine(runtime.StateRoot, id))) runtime.Delete(id, force: true);
    }

    private (ContainerRecord Record, ContainerFiles Files) Locate(string nameOrId)
    {
        var record = _store.Find(nameOrId);
        var files = Files(record.Id);
        return (record, files);
    }

    private ContainerFiles Files(string id)
    {
        var files = new ContainerFiles(paths, id);
        files.EnsureRunDirectories();
        return files;
    }

    private ContainerRecord Reload(string id) => _store.Get(id) ?? throw NoSuchContainer(id);

    private static EngineException NoSuchContainer(string nameOrId) => EngineException.NoSuchContainer(nameOrId);

    /// <summary>podman's word for a state in messages ("exited", "created", "running").</summary>
    public static string StateWord(string state) => state == ContainerStates.Configured ? "configured" : state;

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }
}
