using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Cgroups.Devices;
using Skiff.Runtime.Config;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Lifecycle;

/// <summary>
/// The cgroup side of the container lifecycle: created with create, removed with delete, and the verbs
/// that act on it: pause, resume, update, ps, events, kill --all; "paused" and oomKilled for state.
/// </summary>
public static class ContainerCgroups
{
    /// <summary>
    /// Creates the cgroup of a container whose init (<paramref name="pid"/>) waits before running anything of
    /// the container; warnings go to stderr. <paramref name="rootless"/>: --rootless (null: auto).
    /// </summary>
    public static CgroupState Create(Spec spec, string id, int pid, bool systemdCgroup, bool? rootless) =>
        CgroupSetup.Create(spec, id, pid, systemdCgroup, rootless, Warn);

    private static void Warn(string warning) => Console.Error.WriteLine($"skiff-runtime: warning: {warning}");

    private static ICgroupManager Manager(ContainerRecord record) =>
        CgroupSetup.FromState(record.Cgroup) ?? throw new RuntimeException($"container {record.Id} has no cgroup");

    /// <summary>runc's status: a live init whose cgroup is frozen is "paused".</summary>
    /// <summary>Moves a process exec is starting (held before its exec) into the container's cgroup.</summary>
    public static void Join(ContainerRecord record, int pid) => CgroupSetup.FromState(record.Cgroup)?.Join(pid);

    public static bool IsPaused(ContainerRecord record) => CgroupSetup.FromState(record.Cgroup)?.IsFrozen() ?? false;

    /// <summary>Whether the OOM killer killed a process of the container (null when it has no memory cgroup to ask).</summary>
    public static bool? OomKilled(ContainerRecord record)
    {
        var m = CgroupSetup.FromState(record.Cgroup);
        if (m is null) return null;
        try { return m.OomKillCount() > 0; }
        catch (Exception e) when (e is ErrnoException or RuntimeException) { return null; }
    }

    public static void Pause(StateStore store, string id)
    {
        using var dirLock = store.Lock(id);
        var record = store.Load(id);
        string status = store.StatusOf(record);
        if (status is not ("running" or "created")) throw new RuntimeException($"cannot pause a container that is {status}: {id}");
        Manager(record).Freeze();
    }

    public static void Resume(StateStore store, string id)
    {
        using var dirLock = store.Lock(id);
        var record = store.Load(id);
        string status = store.StatusOf(record);
        if (status != "paused") throw new RuntimeException($"cannot resume a container that is {status}: {id}");
        Manager(record).Thaw();
    }

    /// <summary>`update`: new limits for a live container; device rules too when the resources carry them.</summary>
    public static void Update(StateStore store, string id, LinuxResources resources)
    {
        using var dirLock = store.Lock(id);
        var record = store.Load(id);
        string status = store.StatusOf(record);
        if (status == "stopped") throw new RuntimeException($"cannot update a container that is stopped: {id}");
        IReadOnlyList<DeviceRule>? devices = null;
        if (resources.Devices is not null)
        {
            var spec = BundleConfig.Load(record.Bundle);
            spec.Linux ??= new Linux();
            spec.Linux.Resources ??= new LinuxResources();
            spec.Linux.Resources.Devices = resources.Devices;
            devices = DeviceRules.For(spec);
        }
        var m = Manager(record);
        m.Update(resources, devices);
        // A limit with no cgroup to take it (rootless without delegation) is ignored: said, as at create.
        foreach (string w in m.Warnings) Warn(w);
    }

    /// <summary>The pids of every process of the container.</summary>
    public static List<int> Pids(StateStore store, string id)
    {
        var record = store.Load(id);
        return Manager(record).Pids();
    }

    /// <summary>
    /// kill --all: freeze, signal every process in the cgroup, thaw (runc's signalAllProcesses); a container
    /// without a freezer is signalled as it is.
    /// </summary>
    public static void KillAll(StateStore store, string id, int signal)
    {
        var record = store.Load(id);
        if (record.Cgroup is { Paths.Count: 0 })
        {
            // No cgroup at all (rootless where none is delegated): the init is the one process to be found; in its
            // own pid namespace the kernel kills the rest with it (runc signals only the init there too).
            ContainerOps.Kill(store, id, signal);
            return;
        }
        SignalAll(Manager(record), signal);
    }

    private static void SignalAll(ICgroupManager m, int signal)
    {
        bool frozen = false;
        try { m.Freeze(); frozen = true; }
        catch (RuntimeException) { }
        catch (ErrnoException) { }
        try
        {
            foreach (int pid in m.Pids()) Libc.Kill(pid, signal);
        }
        finally
        {
            if (frozen) m.Thaw();
        }
    }

    /// <summary>
    /// Removes the cgroup of a container whose init is gone: processes left in it (no pid namespace) are
    /// killed first, as runc does at delete.
    /// </summary>
    public static void Destroy(ContainerRecord record)
    {
        var m = CgroupSetup.FromState(record.Cgroup);
        if (m is null) return;
        if (m.Pids().Count > 0)
        {
            SignalAll(m, Libc.SIGKILL);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (m.Pids().Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        }
        else if (m.IsFrozen()) m.Thaw();
        m.Destroy();
    }

    /// <summary>Statistics of the container (events --stats).</summary>
    public static CgroupStats Stats(StateStore store, string id) => Manager(store.Load(id)).Stats();

    /// <summary>
    /// events: a stats event every <paramref name="interval"/> (only one with <paramref name="statsOnce"/>), and
    /// an "oom" event whenever the OOM killer strikes, until the container stops.
    /// </summary>
    public static void Events(StateStore store, string id, TimeSpan interval, bool statsOnce, Action<RuntimeEvent> emit)
    {
        var record = store.Load(id);
        var m = Manager(record);
        if (statsOnce)
        {
            emit(new RuntimeEvent { Type = "stats", Id = id, Data = m.Stats() });
            return;
        }
        using var oom = m.OpenOomNotifier();
        ulong kills = m.OomKillCount();
        var next = DateTime.UtcNow;
        while (true)
        {
            if (!StateStore.IsAlive(record))
            {
                // The OOM killer may have been what ended it.
                if (m.OomKillCount() > kills) emit(new RuntimeEvent { Type = "oom", Id = id });
                return;
            }
            var now = DateTime.UtcNow;
            if (now >= next)
            {
                emit(new RuntimeEvent { Type = "stats", Id = id, Data = m.Stats() });
                next = now + interval;
            }
            int wait = (int)Math.Clamp((next - DateTime.UtcNow).TotalMilliseconds, 0, 500);
            bool ready = oom is not null ? Libc.PollMany([oom.Fd], Libc.POLLIN, wait)[0] : SleepFalse(wait);
            if (ready) oom!.Drain();
            ulong nowKills = m.OomKillCount();
            if (ready || nowKills > kills)
            {
                if (nowKills > kills || record.Cgroup?.Paths.ContainsKey("memory") == true)
                    emit(new RuntimeEvent { Type = "oom", Id = id });
                kills = nowKills;
            }
        }
    }

    private static bool SleepFalse(int ms)
    {
        Thread.Sleep(ms);
        return false;
    }
}
