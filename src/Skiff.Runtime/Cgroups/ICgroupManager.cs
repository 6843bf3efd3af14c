using System.Text.Json.Serialization;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Cgroups.Devices;

namespace Skiff.Runtime.Cgroups;

/// <summary>
/// The container's cgroup, whatever the mode (v1, v2, hybrid) and the manager (cgroupfs, systemd): made and
/// limited at create before the init runs, used by pause/resume/update/ps/events/kill --all, removed at delete.
/// </summary>
public interface ICgroupManager
{
    /// <summary>What the runtime records to find the cgroup again (ContainerRecord.Cgroup).</summary>
    CgroupState State { get; }

    /// <summary>Warnings for the user: limits asked for that cannot apply here (rootless without delegation).</summary>
    IReadOnlyList<string> Warnings { get; }

    /// <summary>Creates the cgroup, writes the limits and the device rules. On failure nothing is left behind.</summary>
    void Create(LinuxResources resources, IReadOnlyList<DeviceRule> devices);

    /// <summary>Moves a process (the waiting init) into the cgroup.</summary>
    void Join(int pid);

    /// <summary>Writes new limits to a live container (the `update` verb); device rules when <paramref name="devices"/> is given.</summary>
    void Update(LinuxResources resources, IReadOnlyList<DeviceRule>? devices);

    void Freeze();
    void Thaw();
    bool IsFrozen();

    /// <summary>Every process in the cgroup and its sub-cgroups.</summary>
    List<int> Pids();

    CgroupStats Stats();

    /// <summary>How many times the OOM killer killed a process of the container.</summary>
    ulong OomKillCount();

    /// <summary>
    /// A descriptor that becomes readable when the cgroup runs out of memory (an eventfd on v1, inotify on
    /// memory.events on v2); null where there is no memory cgroup.
    /// </summary>
    OomNotifier? OpenOomNotifier();

    /// <summary>Removes every cgroup directory of the container (sub-cgroups first; rmdir only, EBUSY retried briefly).</summary>
    void Destroy();
}

/// <summary>What ContainerRecord keeps of the cgroup.</summary>
public sealed class CgroupState
{
    /// <summary>"cgroupfs" or "systemd".</summary>
    [JsonPropertyName("manager")] public string Manager { get; set; } = "cgroupfs";
    /// <summary>v1 controller (or "name=systemd") → directory; "" → the cgroup2 directory (v2, or the unified tree of a hybrid host).</summary>
    [JsonPropertyName("paths")] public Dictionary<string, string> Paths { get; set; } = [];
    /// <summary>
    /// Cgroup permission errors are ignored (runc's rootless cgroups): cgroups only where delegated, limits without a
    /// cgroup a warning. Decided at create from --rootless (true, false, or auto: <see cref="CgroupSetup.IsRootless"/>).
    /// </summary>
    [JsonPropertyName("rootless")] public bool Rootless { get; set; }
    /// <summary>
    /// The runtime ran as a plain user or in a user namespace, where the kernel refuses mknod and device cgroups
    /// alike: device rules are left to the kernel. Null (a record from before this field): as <see cref="Rootless"/>.
    /// </summary>
    [JsonPropertyName("unprivileged")] public bool? Unprivileged { get; set; }
    /// <summary>Device rules are not written (<see cref="Unprivileged"/>, else <see cref="Rootless"/>).</summary>
    [JsonIgnore] public bool DevicesLeftToKernel => Unprivileged ?? Rootless;
    /// <summary>The systemd unit (systemd manager).</summary>
    [JsonPropertyName("unit")] public string? Unit { get; set; }
    /// <summary>Device rules enforced by an eBPF program on the cgroup2 directory.</summary>
    [JsonPropertyName("devicesEbpf")] public bool DevicesEbpf { get; set; }
}

/// <summary>An OOM notification descriptor and what keeps it registered.</summary>
public sealed class OomNotifier(Skiff.Interop.SafeFd fd, IDisposable? keep) : IDisposable
{
    public int Fd => fd.Fd;

    /// <summary>Consumes the pending notification (eventfd counter or inotify events).</summary>
    public void Drain()
    {
        Span<byte> buf = stackalloc byte[4096];
        try { Skiff.Interop.Libc.Read(fd.Fd, buf); }
        catch (Skiff.Interop.ErrnoException e) when (e.Errno == Skiff.Interop.Errno.EAGAIN) { }
    }

    public void Dispose()
    {
        fd.Dispose();
        keep?.Dispose();
    }
}
