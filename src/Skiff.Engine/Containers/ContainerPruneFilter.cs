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
        try { return Events.TimeInput.Parse(value, now); }
        catch (EngineException) { return null; }
    }

    /// <summary>A Go duration ("1h30m", "10s", "1.5h", "-2m"); null when the text is not one.</summary>
    public static TimeSpan? GoDuration(string text) => Events.TimeInput.TryParseDuration(text, out var d) ? d : null;
}
