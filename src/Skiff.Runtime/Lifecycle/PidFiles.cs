using System.Globalization;

namespace Skiff.Runtime.Lifecycle;

/// <summary>--pid-file: the pid as text, written to a temporary name then renamed, so a reader never sees half of it.</summary>
public static class PidFiles
{
    public static void Write(string pidFile, int pid)
    {
        string full = Path.GetFullPath(pidFile);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        File.WriteAllText(temp, pid.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, full, overwrite: true);
    }
}
