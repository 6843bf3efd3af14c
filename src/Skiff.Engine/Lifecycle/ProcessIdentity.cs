using System.Globalization;

namespace Skiff.Engine.Lifecycle;

/// <summary>A process known by its pid and its start time (clock ticks after boot), since pids are reused.</summary>
public static class ProcessIdentity
{
    /// <summary>Field 22 of /proc/PID/stat, or null when there is no such process.</summary>
    public static ulong? StartTime(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so count from the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0) return null;
        string[] fields = stat[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state): field 22 is fields[19].
        if (fields.Length < 20 || fields[0] == "Z" || fields[0] == "X") return null; // a zombie has exited
        return ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out ulong t) ? t : null;
    }

    /// <summary>True while the process that had <paramref name="startTime"/> still runs (not a zombie).</summary>
    public static bool IsAlive(int? pid, ulong? startTime)
        => pid is int p && p > 0 && StartTime(p) is ulong t && (startTime is null || t == startTime);
}
