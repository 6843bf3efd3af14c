namespace Skiff.Runtime.Cgroups.Systemd;

/// <summary>
/// The systemd cgroup manager (--systemd-cgroup): the container's cgroup is a transient scope that systemd
/// creates over D-Bus, with the resources as unit properties.
/// </summary>
public static class SystemdManager
{
    public static ICgroupManager ForUnit(CgroupLayout layout, SystemdUnitName unit, bool rootless, bool devicesEbpf) =>
        throw new RuntimeException($"--systemd-cgroup: the systemd cgroup manager cannot create {unit.Unit} yet: run without --systemd-cgroup");

    public static ICgroupManager FromState(CgroupLayout layout, CgroupState state) =>
        CgroupfsManager.FromState(layout, state);
}
