using System.Globalization;
using Skiff.Interop;

namespace Skiff.Runtime.Cgroups;

/// <summary>One cgroup directory and its control files, read and written through the <see cref="ICgroupFs"/> seam.</summary>
public readonly record struct CgroupDir(ICgroupFs Fs, string Path)
{
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public bool Has(string name) => Fs.Exists(File(name));

    /// <summary>Writes one value; a failure names the value, the file and the kernel's reason (errno kept for callers).</summary>
    public void Write(string name, string value)
    {
        try { Fs.Write(File(name), value); }
        catch (ErrnoException e) { throw new ErrnoException($"writing \"{value.TrimEnd('\n')}\" to {File(name)}", e.Errno); }
    }

    public void Write(string name, long value) => Write(name, value.ToString(CultureInfo.InvariantCulture));

    public void Write(string name, ulong value) => Write(name, value.ToString(CultureInfo.InvariantCulture));

    public string Read(string name) => Fs.Read(File(name)).Trim();

    /// <summary>A number file; "max" reads as <see cref="ulong.MaxValue"/>.</summary>
    public ulong ReadUInt(string name) => ParseUInt(Read(name), File(name));

    public ulong ReadUIntOr(string name, ulong fallback)
    {
        try { return ReadUInt(name); }
        catch (ErrnoException) { return fallback; }
    }

    public static ulong ParseUInt(string text, string what)
    {
        if (text == "max") return ulong.MaxValue;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)) return v;
        // Negative values (-1 in some v1 files) mean "unlimited" too.
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long s) && s < 0) return ulong.MaxValue;
        throw new RuntimeException($"cgroups: {what}: cannot parse \"{text}\" as a number");
    }

    /// <summary>"key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control); missing file: empty.</summary>
    public Dictionary<string, ulong> ReadKeyValues(string name)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        string text;
        try { text = Fs.Read(File(name)); }
        catch (ErrnoException e) when (e.Errno == Errno.ENOENT) { return result; }
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (kv.Length == 2 && ulong.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)) result[kv[0]] = v;
        }
        return result;
    }

    /// <summary>The pids in cgroup.procs of this cgroup and, with <paramref name="recursive"/>, of every cgroup below it.</summary>
    public List<int> Pids(bool recursive)
    {
        var pids = new List<int>();
        Collect(Path, recursive, pids);
        return pids;
    }

    private void Collect(string dir, bool recursive, List<int> pids)
    {
        string text;
        try { text = Fs.Read(System.IO.Path.Combine(dir, "cgroup.procs")); }
        catch (ErrnoException e) when (e.Errno == Errno.ENOENT) { return; }
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) pids.Add(pid);
        if (!recursive) return;
        foreach (string sub in Fs.SubDirectories(dir)) Collect(sub, true, pids);
    }
}
