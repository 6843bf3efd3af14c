using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>
/// v1 cpu: shares (read back: the kernel clamps, and runc reports the bound), CFS period and quota (a
/// period the kernel refuses before the quota changes is retried after it), burst, idle, realtime
/// period and runtime. Throttling statistics from cpu.stat.
/// </summary>
public sealed class Cpu : IController
{
    public string Name => "cpu";

    public bool IsSet(LinuxResources r) => r.Cpu is { } c &&
        (c.Shares is not (null or 0) || c.Quota is not (null or 0) || c.Period is not (null or 0) || c.Burst is not null ||
         c.Idle is not null || c.RealtimePeriod is not (null or 0) || c.RealtimeRuntime is not (null or 0));

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.Cpu is not { } c) return;
        if (c.Shares is ulong shares && shares != 0)
        {
            dir.Write("cpu.shares", shares);
            ulong read = dir.ReadUInt("cpu.shares");
            if (shares > read) throw new RuntimeException($"the maximum allowed cpu-shares is {read}");
            if (shares < read) throw new RuntimeException($"the minimum allowed cpu-shares is {read}");
        }
        bool periodPending = false;
        if (c.Period is ulong period && period != 0)
        {
            try { dir.Write("cpu.cfs_period_us", period); }
            catch (ErrnoException e) when (e.Errno == Errno.EINVAL && c.Quota is not (null or 0)) { periodPending = true; }
        }
        bool burstPending = false;
        if (c.Burst is ulong burst)
        {
            try { dir.Write("cpu.cfs_burst_us", burst); }
            catch (ErrnoException e) when (e.Errno == Errno.EINVAL && c.Quota is not (null or 0)) { burstPending = true; }
        }
        if (c.Quota is long quota && quota != 0)
        {
            dir.Write("cpu.cfs_quota_us", quota);
            if (periodPending) dir.Write("cpu.cfs_period_us", c.Period!.Value);
            if (burstPending) dir.Write("cpu.cfs_burst_us", c.Burst!.Value);
        }
        if (c.Idle is long idle) dir.Write("cpu.idle", idle);
        SetRealtime(dir, c);
    }

    /// <summary>Realtime bandwidth: period then runtime, or the reverse when the kernel refuses the period first.</summary>
    private static void SetRealtime(CgroupDir dir, CpuResources c)
    {
        bool periodPending = false;
        if (c.RealtimePeriod is ulong p && p != 0)
        {
            try { dir.Write("cpu.rt_period_us", p); }
            catch (ErrnoException e) when (e.Errno == Errno.EINVAL && c.RealtimeRuntime is not (null or 0)) { periodPending = true; }
        }
        if (c.RealtimeRuntime is long rt && rt != 0)
        {
            dir.Write("cpu.rt_runtime_us", rt);
            if (periodPending) dir.Write("cpu.rt_period_us", c.RealtimePeriod!.Value);
        }
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        var s = dir.ReadKeyValues("cpu.stat");
        stats.Cpu.Throttling.Periods = s.GetValueOrDefault("nr_periods");
        stats.Cpu.Throttling.ThrottledPeriods = s.GetValueOrDefault("nr_throttled");
        stats.Cpu.Throttling.ThrottledTime = s.GetValueOrDefault("throttled_time");
    }
}
