using System.Collections.Concurrent;

namespace Skiff.Interop.Clone;

/// <summary>
/// The one thread that calls clone(2). PR_SET_PDEATHSIG fires when the *thread* that created the
/// child exits, so the parent must be a thread that lives as long as the process: never a pool
/// thread, which the runtime may retire at any moment.
/// </summary>
internal static class CloneThread
{
    private static readonly BlockingCollection<Action> s_work = [];
    private static readonly Lock s_startLock = new();
    private static Thread? s_thread;

    public static T Invoke<T>(Func<T> work)
    {
        EnsureStarted();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_work.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    private static void EnsureStarted()
    {
        lock (s_startLock)
        {
            if (s_thread is not null) return;
            s_thread = new Thread(() => { foreach (Action a in s_work.GetConsumingEnumerable()) a(); })
            {
                IsBackground = true,
                Name = "skiff-clone",
            };
            s_thread.Start();
        }
    }
}
