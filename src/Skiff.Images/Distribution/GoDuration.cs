using System.Globalization;

namespace Skiff.Images.Distribution;

/// <summary>Durations in Go's spelling ("1.5s", "300ms", "2m30s"), as podman's flags and containers.conf take them.</summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>Parses a Go duration (a bare "0" too); false for anything else, negative ones included.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        if (text == "0") return true;
        double ticks = 0;
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n))
                return false;
            int unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            string unit = text[unitStart..i];
            int u = Array.FindIndex(Units, x => x.Unit == unit);
            if (u < 0) return false;
            ticks += n * Units[u].Ticks;
        }
        if (ticks > TimeSpan.MaxValue.Ticks) return false;
        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>Parses or throws podman's own error: time: invalid duration "foobar".</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"time: invalid duration \"{text}\"");

    /// <summary>Go's String(): "1.5s", "300ms", "2m0s", "0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value <= TimeSpan.Zero) return "0s";
        if (value < TimeSpan.FromSeconds(1))
            return value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        string seconds = (value.TotalSeconds % 60).ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (value < TimeSpan.FromMinutes(1)) return seconds;
        long minutes = (long)value.TotalMinutes;
        return minutes >= 60 ? $"{minutes / 60}h{minutes % 60}m{seconds}" : $"{minutes}m{seconds}";
    }
}
