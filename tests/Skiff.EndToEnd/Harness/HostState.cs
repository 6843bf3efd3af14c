namespace Skiff.EndToEnd.Harness;

/// <summary>What a test can see of the host: processes by their command line, and mounts under a directory.</summary>
public static class HostState
{
    /// <summary>How many processes have <paramref name="marker"/> in their command line.</summary>
    public static int ProcessesWith(string marker) => Directory.GetDirectories("/proc").Count(d =>
    {
        try { return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ').Contains(marker, StringComparison.Ordinal); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });

    /// <summary>How many processes have every one of <paramref name="parts"/> in their command line.</summary>
    public static int ProcessesWithAll(params string[] parts) => Directory.GetDirectories("/proc").Count(d =>
    {
        try
        {
            string cmd = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
            return parts.All(p => cmd.Contains(p, StringComparison.Ordinal));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });

    /// <summary>Mount points at or under <paramref name="dir"/> in our mount namespace.</summary>
    public static int MountsUnder(string dir) =>
        File.ReadAllLines("/proc/self/mountinfo").Count(l => l.Split(' ')[4].StartsWith(dir, StringComparison.Ordinal));
}
