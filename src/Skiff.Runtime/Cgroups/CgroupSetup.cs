using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Cgroups.Devices;

namespace Skiff.Runtime.Cgroups;

/// <summary>Chooses and builds the cgroup manager of a container: cgroupfs or systemd, from a config or from a record.</summary>
public static class CgroupSetup
{
    /// <summary>
    /// Annotation that selects how device rules are enforced on a hybrid host: "ebpf" for an eBPF program on
    /// the container's cgroup in the cgroup2 tree instead of the v1 devices controller. (v2 always uses eBPF.)
    /// </summary>
    public const string DevicesAnnotation = "org.skiff.cgroup.devices";

    public const string SystemdRunDir = "/run/systemd/system";

    /// <summary>The runtime runs as uid 0 inside rootless Skiff's user namespace, or as a plain user.</summary>
    public static bool IsRootless => Libc.GetEUid() != 0 || !UserNamespaceInfo.IsInitial;

    /// <summary>
    /// Creates the container's cgroup with its limits and device rules, and moves <paramref name="pid"/> (the
    /// waiting init) into it. Warnings (limits that cannot apply rootless) go to <paramref name="warn"/>.
    /// <paramref name="rootless"/> is --rootless: true ignores cgroup permission errors, false fails on them,
    /// null (auto) ignores them when <see cref="IsRootless"/>. The choice is kept in the returned state.
    /// </summary>
    public static CgroupState Create(Spec spec, string id, int pid, bool systemdCgroup, bool? rootless, Action<string> warn, CgroupLayout? layout = null)
    {
        var manager = ForNew(spec, id, systemdCgroup, rootless ?? IsRootless, layout ?? CgroupLayout.Host, IsRootless);
        Profiling.Mark("cgroup: layout");
        try
        {
            manager.Create(spec.Linux?.Resources ?? new LinuxResources(), DeviceRules.For(spec));
            Profiling.Mark("cgroup: made and limited");
            try { manager.Join(pid); }
            catch
            {
                try { manager.Destroy(); }
                catch (RuntimeException) { }
                throw;
            }
        }
        catch (ErrnoException e) when (!manager.State.Rootless && e.Errno is Errno.EACCES or Errno.EPERM)
        {
            string hint = rootless == false ? " (--rootless false: --rootless true or auto runs without the cgroups this user may not create)" : "";
            throw new RuntimeException($"cannot create the container's cgroup: {e.Message}{hint}");
        }
        foreach (string w in manager.Warnings) warn(w);
        return manager.State;
    }

    public static ICgroupManager ForNew(Spec spec, string id, bool systemdCgroup, bool rootless, CgroupLayout layout, bool? unprivileged = null)
    {
        bool ebpf = spec.Annotations?.GetValueOrDefault(DevicesAnnotation) switch
        {
            null or "" or "v1" => false,
            "ebpf" => true,
            var other => throw new RuntimeException($"annotation {DevicesAnnotation}: \"{other}\" is neither \"v1\" nor \"ebpf\""),
        };
        if (systemdCgroup)
        {
            if (!Directory.Exists(SystemdRunDir))
                throw new RuntimeException($"--systemd-cgroup: systemd is not running on this host (PID 1 is not systemd, {SystemdRunDir} does not exist): run without --systemd-cgroup to use the cgroupfs manager");
            return Systemd.SystemdManager.ForUnit(layout, CgroupPaths.SystemdUnit(spec.Linux?.CgroupsPath, id, rootless), rootless, ebpf);
        }
        return CgroupfsManager.ForPath(layout, CgroupPaths.CgroupfsPath(spec.Linux?.CgroupsPath, id), rootless, ebpf, unprivileged);
    }

    /// <summary>The manager of a recorded container, or null when it has no cgroup.</summary>
    public static ICgroupManager? FromState(CgroupState? state, CgroupLayout? layout = null)
    {
        if (state is null) return null;
        layout ??= CgroupLayout.Host;
        return state.Manager == "systemd" ? Systemd.SystemdManager.FromState(layout, state) : CgroupfsManager.FromState(layout, state);
    }
}
