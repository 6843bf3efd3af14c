using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V2;

/// <summary>
/// v2 cpu: cpu.weight from the v1 shares (runc 1.1's linear conversion of [2, 262144] to [1, 10000]),
/// cpu.max "QUOTA PERIOD" ("max" for no quota, period 100000 by default), cpu.max.burst, cpu.idle.
/// Realtime scheduling has no v2 interface: asking for it is an error.
/// </summary>
public sealed class Cpu : IController
{
    public string Name => "cpu";

    public bool IsSet(LinuxResources r) => r.Cpu is { } c &&
        (c.Shares is not (null or 0) || c.Quota is not (null or 0) || c.Period is not (null or 0) || c.Burst is not null || c.Idle is not null ||
         c.RealtimePeriod is not (null or 0) || c.RealtimeRuntime is not (null or 0));

    /// <summary>runc 1.1's ConvertCPUSharesToCgroupV2Value.</summary>
    public static ulong SharesToWeight(ulong shares) => shares == 0 ? 0 : 1 + (shares - 2) * 9999 / 262142;

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.Cpu is not { } c) return;
        if (c.RealtimePeriod is not (null or 0) || c.RealtimeRuntime is not (null or 0))
            throw new RuntimeException("linux.resources.cpu: realtimeRuntime and realtimePeriod are not supported on cgroup v2");
        if (c.Idle is long idle) dir.Write("cpu.idle", idle);
        if (c.Shares is ulong shares && shares != 0) dir.Write("cpu.weight", SharesToWeight(shares));
        string? burstPending = null;
        if (c.Burst is ulong burst)
        {
            try { dir.Write("cpu.max.burst", burst); }
            catch (ErrnoException e) when (e.Errno == Errno.EINVAL && c.Quota is not (null or 0)) { burstPending = burst.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        }
        if (c.Quota is not (null or 0) || c.Period is not (null or 0))
        {
            string quota = c.Quota is long q && q > 0 ? q.ToString(System.Globalization.CultureInfo.InvariantCulture) : "max";
            ulong period = c.Period is ulong p && p != 0 ? p : 100000;
            dir.Write("cpu.max", $"{quota} {period}");
            if (burstPending is not null) dir.Write("cpu.max.burst", burstPending);
        }
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        var s = dir.ReadKeyValues("cpu.stat");
        if (s.Count == 0) return;
        stats.Cpu.Usage.Total = s.GetValueOrDefault("usage_usec") * 1000;
        stats.Cpu.Usage.User = s.GetValueOrDefault("user_usec") * 1000;
        stats.Cpu.Usage.Kernel = s.GetValueOrDefault("system_usec") * 1000;
        stats.Cpu.Throttling.Periods = s.GetValueOrDefault("nr_periods");
        stats.Cpu.Throttling.ThrottledPeriods = s.GetValueOrDefault("nr_throttled");
        stats.Cpu.Throttling.ThrottledTime = s.GetValueOrDefault("throttled_usec") * 1000;
    }
}
