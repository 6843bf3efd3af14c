using System.Globalization;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Cgroups.V1;

/// <summary>
/// v1 cpuset: cpus and mems. A new v1 cpuset cgroup starts with both empty and takes no process, so
/// every directory from the hierarchy's root down is filled from its parent first (runc's
/// cpusetEnsureParent), and the container's own gets the config's values or its parent's.
/// </summary>
public sealed class Cpuset : IController
{
    public string Name => "cpuset";

    public bool IsSet(LinuxResources r) => r.Cpu is { } c && (!string.IsNullOrEmpty(c.Cpus) || !string.IsNullOrEmpty(c.Mems));

    public void Set(CgroupDir dir, LinuxResources r)
    {
        if (r.Cpu is not { } c) return;
        if (!string.IsNullOrEmpty(c.Cpus)) dir.Write("cpuset.cpus", c.Cpus);
        if (!string.IsNullOrEmpty(c.Mems)) dir.Write("cpuset.mems", c.Mems);
    }

    /// <summary>Copies cpus and mems from the parent to every empty one between <paramref name="mount"/> and <paramref name="dir"/>, the latter included.</summary>
    public static void EnsureFilled(ICgroupFs fs, string mount, string dir)
    {
        if (dir.Length <= mount.Length) return;
        string parent = Path.GetDirectoryName(dir)!;
        EnsureFilled(fs, mount, parent);
        var d = new CgroupDir(fs, dir);
        var p = new CgroupDir(fs, parent);
        foreach (string file in new[] { "cpuset.cpus", "cpuset.mems" })
            if (d.Read(file).Length == 0) d.Write(file, p.Read(file));
    }

    public void AddStats(CgroupDir dir, CgroupStats stats)
    {
        if (!dir.Has("cpuset.cpus")) return;
        var s = stats.CpuSet;
        s.Cpus = ParseList(dir, "cpuset.cpus");
        s.Mems = ParseList(dir, "cpuset.mems");
        s.CpuExclusive = dir.ReadUIntOr("cpuset.cpu_exclusive", 0);
        s.MemHardwall = dir.ReadUIntOr("cpuset.mem_hardwall", 0);
        s.MemExclusive = dir.ReadUIntOr("cpuset.mem_exclusive", 0);
        s.MemoryMigrate = dir.ReadUIntOr("cpuset.memory_migrate", 0);
        s.MemorySpreadPage = dir.ReadUIntOr("cpuset.memory_spread_page", 0);
        s.MemorySpreadSlab = dir.ReadUIntOr("cpuset.memory_spread_slab", 0);
        s.MemoryPressure = dir.ReadUIntOr("cpuset.memory_pressure", 0);
        s.SchedLoadBalance = dir.ReadUIntOr("cpuset.sched_load_balance", 0);
        try { s.SchedRelaxDomainLevel = long.Parse(dir.Read("cpuset.sched_relax_domain_level"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is ErrnoException or FormatException) { }
    }

    /// <summary>"0-2,4" as [0, 1, 2, 4].</summary>
    public static List<ushort>? ParseList(CgroupDir dir, string file)
    {
        string text;
        try { text = dir.Read(file); }
        catch (ErrnoException) { return null; }
        return ParseList(text);
    }

    public static List<ushort> ParseList(string text)
    {
        var result = new List<ushort>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] range = part.Split('-');
            ushort lo = ushort.Parse(range[0], CultureInfo.InvariantCulture);
            ushort hi = range.Length == 2 ? ushort.Parse(range[1], CultureInfo.InvariantCulture) : lo;
            for (int i = lo; i <= hi; i++) result.Add((ushort)i);
        }
        return result;
    }
}
