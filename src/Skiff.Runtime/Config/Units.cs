using System.Globalization;

namespace Skiff.Runtime.Config;

/// <summary>The number formats of runc's command line: byte sizes (update) and Go durations (events --interval).</summary>
public static class Units
{
    /// <summary>runc's units.RAMInBytes: a number with an optional 1024-based unit (b, k, m, g, t, p; "kb", "KiB" too); -1 stays -1.</summary>
    public static long Bytes(string v, string flag)
    {
        if (v == "-1") return -1;
        string s = v.Trim().ToLowerInvariant();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        if (end == 0 || !double.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            throw new RuntimeException($"invalid value for --{flag}: {v}");
        string unit = s[end..].Trim();
        if (unit.EndsWith("ib", StringComparison.Ordinal)) unit = unit[..^2];
        else if (unit.EndsWith('b') && unit.Length == 2) unit = unit[..^1];
        long multiplier = unit switch
        {
            "" or "b" => 1,
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            "p" => 1L << 50,
            _ => throw new RuntimeException($"invalid value for --{flag}: {v} (units: b, k, m, g, t, p)"),
        };
        return (long)(number * multiplier);
    }

    /// <summary>A Go duration: "5s", "100ms", "1m30s", "1.5h", units ns, us, µs, ms, s, m, h.</summary>
    public static TimeSpan Duration(string text)
    {
        double total = 0;
        int i = 0;
        if (text == "0") return TimeSpan.Zero;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (start == i || !double.TryParse(text[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n))
                throw new RuntimeException($"invalid duration \"{text}\"");
            int u = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            total += text[u..i] switch
            {
                "ns" => n / 1e6,
                "us" or "µs" => n / 1e3,
                "ms" => n,
                "s" => n * 1e3,
                "m" => n * 60e3,
                "h" => n * 3600e3,
                _ => throw new RuntimeException($"invalid duration \"{text}\" (units: ns, us, ms, s, m, h)"),
            };
        }
        return TimeSpan.FromMilliseconds(total);
    }
}
