using Skiff.Oci.Runtime;

namespace Skiff.Engine.Containers;

/// <summary>
/// What podman 4.3 writes into config.json for the resource flags of `run`/`create` (read from its config.json
/// for --memory 64m --pids-limit 33 --cpus 1.5 with runc and cgroupfs), for the engine to fill
/// linux.resources and linux.cgroupsPath the same way. The runtime adds the default allowed devices itself.
/// </summary>
public static class ContainerResources
{
    /// <summary>podman's CFS period for --cpus.</summary>
    public const ulong CpuPeriod = 100000;

    /// <summary>
    /// linux.resources for the flags: devices always "deny all" (the runtime appends the defaults); --memory
    /// gives memory.limit and, without --memory-swap, swap = 2 x memory as podman does ("-1" is unlimited swap);
    /// --cpus gives quota = cpus x 100000 over period 100000; --pids-limit gives pids.limit (0: none).
    /// </summary>
    public static LinuxResources From(long? memoryBytes = null, long? memorySwapBytes = null, double? cpus = null, long? pidsLimit = null,
        ulong? cpuShares = null, string? cpusetCpus = null, string? cpusetMems = null, long? memoryReservationBytes = null)
    {
        var r = new LinuxResources { Devices = [new DeviceCgroupRule { Allow = false, Access = "rwm" }] };
        if (memoryBytes is long m && m > 0)
        {
            r.Memory = new MemoryResources { Limit = m };
            r.Memory.Swap = memorySwapBytes switch
            {
                null => 2 * m,
                -1 => -1,
                long s when s < m => throw new EngineException("minimum memoryswap limit should be larger than memory limit, see usage"),
                long s => s,
            };
        }
        else if (memorySwapBytes is not null) throw new EngineException("must specify --memory when using --memory-swap");
        if (memoryReservationBytes is long res && res > 0) (r.Memory ??= new MemoryResources()).Reservation = res;
        if (cpus is double c && c > 0)
            r.Cpu = new CpuResources { Quota = (long)Math.Round(c * CpuPeriod), Period = CpuPeriod };
        if (cpuShares is ulong shares && shares > 0) (r.Cpu ??= new CpuResources()).Shares = shares;
        if (!string.IsNullOrEmpty(cpusetCpus)) (r.Cpu ??= new CpuResources()).Cpus = cpusetCpus;
        if (!string.IsNullOrEmpty(cpusetMems)) (r.Cpu ??= new CpuResources()).Mems = cpusetMems;
        if (pidsLimit is long p && p != 0) r.Pids = new PidsResources { Limit = p };
        return r;
    }

    /// <summary>
    /// linux.cgroupsPath with the cgroupfs manager, as podman's "/libpod_parent/libpod-ID": an absolute path of
    /// its own for a rootful container; rootless, empty (under the user's own cgroup, used only where delegated).
    /// </summary>
    public static string CgroupsPath(string containerId, bool rootless) => rootless ? "" : $"/skiff_parent/skiff-{containerId}";
}
