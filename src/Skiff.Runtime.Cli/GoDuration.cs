using System.Globalization;

namespace Skiff.Runtime.Cli;

/// <summary>Go's time.ParseDuration: "5s", "1m30s", "1.5h", "300ms", "2us"/"2µs", "10ns"; a leading sign; "0".</summary>
public static class GoDuration
{
    public static TimeSpan Parse(string text, string flag)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text;
        bool negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0") return TimeSpan.Zero;
        if (s.Length == 0) throw Invalid(text, flag);
        decimal ticks = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
                throw Invalid(text, flag);
            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            decimal perUnit = s[unitStart..i] switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => throw Invalid(text, flag),
            };
            ticks += value * perUnit;
            if (ticks > TimeSpan.MaxValue.Ticks) throw Invalid(text, flag);
        }
        long whole = (long)decimal.Round(ticks);
        return TimeSpan.FromTicks(negative ? -whole : whole);
    }

    private static RuntimeException Invalid(string text, string flag) =>
        new($"invalid value \"{text}\" for flag {flag}: expected a duration such as 5s, 1m30s or 500ms");
}
