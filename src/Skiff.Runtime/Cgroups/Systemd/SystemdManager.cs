using Skiff.Oci.Runtime;
using Skiff.Runtime.Cgroups.Devices;

namespace Skiff.Runtime.Cgroups.Systemd;

/// <summary>
/// The systemd cgroup manager (--systemd-cgroup): systemd creates the container's cgroup as a transient scope
/// (StartTransientUnit over D-Bus, the init's pid in it, the limits as unit properties, Delegate=yes); the
/// cgroupfs manager then writes every limit and the device rules to the scope's directories and does the rest
/// (freezer, stats, pids). Delete stops the unit.
/// </summary>
public sealed class SystemdManager : ICgroupManager
{
    private readonly CgroupLayout _layout;
    private readonly SystemdUnitName? _unit;
    private readonly CgroupfsManager _fs;
    private LinuxResources _resources = new();
    private IReadOnlyList<DeviceRule> _devices = [];

    private SystemdManager(CgroupLayout layout, SystemdUnitName? unit, CgroupfsManager fs)
    {
        _layout = layout;
        _unit = unit;
        _fs = fs;
    }

    public CgroupState State => _fs.State;
    public IReadOnlyList<string> Warnings => _fs.Warnings;

    public static SystemdManager ForUnit(CgroupLayout layout, SystemdUnitName unit, bool rootless, bool devicesEbpf)
    {
        if (rootless) throw new RuntimeException("--systemd-cgroup: the rootless systemd manager (the user's own systemd) is not supported: run without --systemd-cgroup");
        string slice = unit.Name.EndsWith(".slice", StringComparison.Ordinal) ? "" : CgroupPaths.ExpandSlice(unit.Slice);
        string path = unit.Name.EndsWith(".slice", StringComparison.Ordinal) ? CgroupPaths.ExpandSlice(unit.Name) : $"{slice}/{unit.Unit}";
        var fs = CgroupfsManager.ForPath(layout, path, rootless, devicesEbpf);
        fs.State.Manager = "systemd";
        fs.State.Unit = unit.Unit;
        return new SystemdManager(layout, unit, fs);
    }

    public static SystemdManager FromState(CgroupLayout layout, CgroupState state) => new(layout, null, CgroupfsManager.FromState(layout, state));

    /// <summary>The scope needs a process to exist: creation waits for <see cref="Join"/>.</summary>
    public void Create(LinuxResources resources, IReadOnlyList<DeviceRule> devices)
    {
        _resources = resources;
        _devices = devices;
    }

    public void Join(int pid)
    {
        if (_unit is null) throw new InvalidOperationException("join of a recorded systemd cgroup");
        var properties = UnitProperties.For(_unit, pid, _resources, _layout.Mode == CgroupMode.V2);
        SystemdDbus.StartTransientUnit(_unit.Unit, properties);
        try
        {
            WaitUntilIn(pid, _unit.Unit);
            _fs.Create(_resources, _devices);
            _fs.Join(pid);
        }
        catch
        {
            try { SystemdDbus.StopUnit(_unit.Unit); }
            catch (RuntimeException) { }
            throw;
        }
    }

    /// <summary>The job that starts a scope runs after the call returns: wait until the pid is in the unit's cgroup.</summary>
    private static void WaitUntilIn(int pid, string unit)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int delay = 1;
        while (!File.ReadAllText($"/proc/{pid}/cgroup").Contains("/" + unit, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new RuntimeException($"systemd did not put the container's init into {unit} within 10 seconds");
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 50);
        }
    }

    public void Update(LinuxResources resources, IReadOnlyList<DeviceRule>? devices) => _fs.Update(resources, devices);
    public void Freeze() => _fs.Freeze();
    public void Thaw() => _fs.Thaw();
    public bool IsFrozen() => _fs.IsFrozen();
    public List<int> Pids() => _fs.Pids();
    public CgroupStats Stats() => _fs.Stats();
    public ulong OomKillCount() => _fs.OomKillCount();
    public OomNotifier? OpenOomNotifier() => _fs.OpenOomNotifier();

    public void Destroy()
    {
        if (State.Unit is { } unit)
        {
            try { SystemdDbus.StopUnit(unit); }
            catch (RuntimeException) when (!Directory.Exists(CgroupSetup.SystemdRunDir)) { }
        }
        _fs.Destroy();
    }
}
