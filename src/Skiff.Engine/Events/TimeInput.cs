using System.Globalization;

namespace Skiff.Engine.Events;

/// <summary>
/// Times given on the command line, as podman reads them (--since, --until, the until= filter): RFC 3339 (with
/// or without a fraction or zone: no zone is UTC), a date, a unix timestamp with an optional fraction, or a Go
/// duration ("10m", "1h30m", "1.5s") counted back from now (forward with <c>forward</c>: --until's "10s" is
/// ten seconds from now).
/// </summary>
public static class TimeInput
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-ddK", "yyyy-MM-dd",
    ];

    /// <exception cref="EngineException">The text is none of these.</exception>
    public static DateTimeOffset Parse(string text, DateTimeOffset now, bool forward = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = TrimNanos(text.Trim());
        if (DateTimeOffset.TryParseExact(t, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return parsed;
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '.') && !text.Any(char.IsAsciiLetter)
            && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal unix) && unix < 253402300800m)
            return DateTimeOffset.UnixEpoch.AddTicks((long)(unix * TimeSpan.TicksPerSecond));
        if (TryParseDuration(text, out var d)) return forward ? now + d : now - d;
        throw new EngineException("unable to interpret time value");
    }

    /// <summary>.NET reads 7 digits of a fraction at most: a Go time's 9 are cut to 7.</summary>
    private static string TrimNanos(string t)
    {
        int dot = t.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return t;
        int end = dot + 1;
        while (end < t.Length && char.IsAsciiDigit(t[end])) end++;
        return end - dot - 1 > 7 ? t[..(dot + 8)] + t[end..] : t;
    }

    /// <summary>Go's time.ParseDuration: a signed sequence of decimal numbers, each with a unit (ns, us, µs, ms, s, m, h); "0" alone.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        int i = 0;
        bool negative = false;
        if (text[0] is '+' or '-')
        {
            negative = text[0] == '-';
            i++;
        }
        if (text[i..] == "0") return true;
        if (i == text.Length) return false;
        decimal totalNanos = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (i == start || !decimal.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
                return false;
            int unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            decimal? scale = text[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (scale is null) return false;
            totalNanos += number * scale.Value;
            if (totalNanos > long.MaxValue) return false;
        }
        duration = TimeSpan.FromTicks((long)(totalNanos / 100) * (negative ? -1 : 1));
        return true;
    }
}
