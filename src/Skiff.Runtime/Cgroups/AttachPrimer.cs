using Skiff.Interop;

namespace Skiff.Runtime.Cgroups;

/// <summary>
/// Starts the wait that moving the init into its cgroup costs, before the init exists.
/// A write to cgroup.procs takes the kernel's cgroup_threadgroup_rwsem for writing, and the first writer after
/// a quiet spell waits for a full RCU grace period (rcu_sync; tens of milliseconds on a busy virtual machine)
/// unless the hierarchy is mounted with favordynmods; writers that come while that wait is on, or shortly after
/// it, go through at once. `create` therefore moves itself into the cgroup it is already in (a no-op move:
/// "0" is the writer) on a thread of its own as it starts, so that the grace period runs while it reads the
/// config and starts the init, instead of after.
/// </summary>
public static class AttachPrimer
{
    /// <summary>Starts the priming write in the background (real root with the cgroupfs manager only; every failure ignored).</summary>
    public static void Start()
    {
        if (!UserNamespaceInfo.IsRealRoot) return;
        var thread = new Thread(Prime) { IsBackground = true, Name = "skiff-cgroup-prime" };
        thread.Start();
    }

    private static void Prime()
    {
        try
        {
            var layout = CgroupLayout.Host;
            var own = layout.OwnCgroups();
            string? dir = layout.V1.Keys.Order(StringComparer.Ordinal).Select(c => layout.OwnV1Dir(c, own)).FirstOrDefault(d => d is not null)
                ?? layout.OwnUnifiedDir(own);
            if (dir is not null) new CgroupDir(layout.Fs, dir).Write("cgroup.procs", "0");
        }
        catch (Exception e) when (e is RuntimeException or ErrnoException or IOException or UnauthorizedAccessException)
        {
            // Only a head start: the real move reports its own errors.
        }
    }
}
