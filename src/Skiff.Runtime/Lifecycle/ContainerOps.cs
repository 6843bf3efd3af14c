using Skiff.Interop;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Hooks;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Lifecycle;

/// <summary>start, kill, delete and state of a created container.</summary>
public static class ContainerOps
{
    /// <summary>Lets the init exec the program: opens exec.fifo, reads the init's byte, removes the fifo.</summary>
    public static void Start(StateStore store, string id, RuntimeLog? log = null)
    {
        using var dirLock = store.Lock(id);
        var record = store.Load(id);
        string status = store.StatusOf(record);
        if (status != "created") throw new RuntimeException($"cannot start a container that is {status}: {id}");
        string fifo = Path.Combine(store.DirOf(id), StateStore.FifoName);
        // Opened for reading without blocking: the init's open for writing then completes. Its byte says it goes on;
        // the end of file that follows says it closed its end (O_CLOEXEC) by executing the program, or exited. start
        // returns only then, so poststart runs after the program is executed, as runtime-spec asks.
        int fd = Libc.Open(fifo, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd < 0) Libc.ThrowErrno($"open {fifo}");
        using (var handle = new SafeFd(fd))
        {
            Span<byte> b = stackalloc byte[1];
            bool started = false;
            Span<Libc.PollEntry> entry = stackalloc Libc.PollEntry[1];
            while (true)
            {
                entry[0] = new Libc.PollEntry { Fd = fd, Events = Libc.POLLIN };
                Libc.Poll(entry, 100);
                if (entry[0].Revents != 0)
                {
                    int n;
                    try { n = Libc.Read(fd, b); }
                    catch (ErrnoException e) when (e.Errno == Errno.EAGAIN) { continue; }
                    if (n > 0) { started = true; continue; }
                    if (started) break; // end of file after the byte: the program runs (or the init is gone)
                }
                if (!StateStore.IsAlive(record))
                {
                    if (started) break;
                    throw new RuntimeException($"container init of {id} exited before start");
                }
            }
        }
        Profiling.Mark("start: program running");
        File.Delete(fifo);
        HookRunner.RunStage(HookRunner.Poststart, record.Hooks, store.ToOciState(record), log);
    }

    public static void Kill(StateStore store, string id, int signal)
    {
        var record = store.Load(id);
        if (!StateStore.IsAlive(record)) throw new RuntimeException($"container {id} is not running");
        Libc.Check(Libc.Kill(record.Pid, signal), $"kill {record.Pid}");
    }

    public static void Delete(StateStore store, string id, bool force, RuntimeLog? log = null)
    {
        if (force && !store.Exists(id))
        {
            store.Remove(id);
            return;
        }
        ContainerRecord record;
        using (var dirLock = store.Lock(id))
        {
            record = store.Load(id);
            string status = store.StatusOf(record);
            if (status is "running" or "paused" && !force) throw new RuntimeException($"cannot delete container {id} that is not stopped: {status}");
            if (status != "stopped")
            {
                Libc.Kill(record.Pid, Libc.SIGKILL);
                if (status == "paused") CgroupSetup.FromState(record.Cgroup)?.Thaw(); // a frozen v1 task dies once thawed
                WaitGone(record);
            }
        }
        var state = store.ToOciState(record);
        store.Remove(id);
        HookRunner.RunStage(HookRunner.Poststop, record.Hooks, state, log);
    }

    public static Oci.Runtime.State State(StateStore store, string id) => store.ToOciState(store.Load(id));

    /// <summary>Waits (up to 10 s) until a killed init is gone or a zombie; its reaper is its parent.</summary>
    private static void WaitGone(ContainerRecord record)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int delay = 1;
        while (StateStore.IsAlive(record) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
    }
}
