using System.Globalization;

namespace Skiff.Cli.Output;

/// <summary>Sizes and ages worded as podman words them (docker/go-units).</summary>
public static class Units
{
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

    /// <summary>go-units HumanSize: decimal units, 3 significant digits ("2.13 MB").</summary>
    public static string HumanSize(double size)
    {
        int i = 0;
        while (size >= 1000 && i < DecimalUnits.Length - 1)
        {
            size /= 1000;
            i++;
        }
        return $"{FormatG3(size)} {DecimalUnits[i]}";
    }

    private static string FormatG3(double v)
    {
        // Go's %.4g then trimmed by go-units to 3 significant digits: %.3g
        string s = v.ToString("G3", CultureInfo.InvariantCulture);
        return s.Contains('E', StringComparison.Ordinal) ? v.ToString("0", CultureInfo.InvariantCulture) : s;
    }

    /// <summary>go-units HumanDuration, as in "2 years ago".</summary>
    public static string HumanDuration(TimeSpan d)
    {
        double seconds = d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds < 2) return "1 second";
        if (seconds < 60) return $"{(int)seconds} seconds";
        double minutes = d.TotalMinutes;
        if ((int)minutes == 1) return "About a minute";
        if (minutes < 60) return $"{(int)minutes} minutes";
        double hours = Math.Round(d.TotalHours);
        if ((int)hours == 1) return "About an hour";
        if (hours < 48) return $"{(int)hours} hours";
        if (hours < 24 * 7 * 2) return $"{(int)(hours / 24)} days";
        if (hours < 24 * 30 * 2) return $"{(int)(hours / 24 / 7)} weeks";
        if (hours < 24 * 365 * 2) return $"{(int)(hours / 24 / 30)} months";
        return $"{(int)(hours / 24 / 365)} years";
    }
}
