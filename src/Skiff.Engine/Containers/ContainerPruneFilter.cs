using System.Globalization;

namespace Skiff.Engine.Containers;

/// <summary>
/// `container prune --filter`: podman's label=KEY[=VALUE], label!=KEY[=VALUE] (every one must hold) and
/// until=TIME (created before it: an RFC 3339 time, a date, Unix seconds, or a Go duration back from now).
/// </summary>
public sealed class ContainerPruneFilter
{
    private readonly List<(string Key, string? Value, bool Negated)> _labels = [];
    private DateTimeOffset? _until;

    /// <exception cref="EngineException">A filter podman would refuse, with podman's words.</exception>
    public static ContainerPruneFilter Parse(IEnumerable<string> filters, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var result = new ContainerPruneFilter();
        foreach (string f in filters)
        {
            int eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) throw new EngineException($"filter input must be in the form of filter=value: {f} is invalid");
            bool negated = eq > 0 && f[eq - 1] == '!';
            string key = f[..(negated ? eq - 1 : eq)], value = f[(eq + 1)..];
            switch (key)
            {
                case "label":
                    int inner = value.IndexOf('=', StringComparison.Ordinal);
                    result._labels.Add(inner < 0 ? (value, null, negated) : (value[..inner], value[(inner + 1)..], negated));
                    break;
                case "until" when !negated:
                    result._until = ParseTime(value, now) ?? throw new EngineException($"failed to parse value as time or duration: \"{value}\"");
                    break;
                default:
                    throw new EngineException($"{key} is an invalid filter");
            }
        }
        return result;
    }

    public bool Matches(ContainerRecord container)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (_until is { } until && container.Created >= until) return false;
        foreach (var (key, value, negated) in _labels)
        {
            bool has = container.Labels.TryGetValue(key, out string? actual) && (value is null || actual == value);
            if (has == negated) return false;
        }
        return true;
    }

    /// <summary>podman's until: a time (RFC 3339, with or without zone, or a date), Unix seconds, or a duration before <paramref name="now"/>.</summary>
    public static DateTimeOffset? ParseTime(string value, DateTimeOffset now)
    {
        if (GoDuration(value) is { } ago) return now - ago;
        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds))
            return DateTimeOffset.UnixEpoch.AddSeconds(seconds);
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"];
        return DateTimeOffset.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    /// <summary>A Go duration ("1h30m", "10s", "1.5h", "-2m"); null when the text is not one.</summary>
    public static TimeSpan? GoDuration(string text)
    {
        string s = text;
        bool negative = s.StartsWith('-');
        if (s.Length > 0 && s[0] is '-' or '+') s = s[1..];
        if (s == "0") return TimeSpan.Zero;
        if (s.Length == 0) return null;
        double ticks = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start || !double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n)) return null;
            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            double unit = s[unitStart..i] switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => double.NaN,
            };
            if (double.IsNaN(unit)) return null;
            ticks += n * unit;
        }
        return TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
    }
}
