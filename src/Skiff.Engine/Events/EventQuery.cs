namespace Skiff.Engine.Events;

/// <summary>
/// `events`: which events to give. Filters as podman's (container=, event= or status=, image=, label=, pod=,
/// type=, volume=): values of one key match any of them, different keys must all match. Since and until bound
/// the events' times (exclusive); <see cref="Stream"/> follows the log after the past events until cancelled or until.
/// </summary>
public sealed class EventQuery
{
    private static readonly HashSet<string> Keys = ["container", "event", "status", "image", "label", "pod", "type", "volume"];

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Filters { get; }
    public DateTimeOffset? Since { get; }
    public DateTimeOffset? Until { get; }
    public bool Stream { get; }

    private EventQuery(IReadOnlyDictionary<string, IReadOnlyList<string>> filters, DateTimeOffset? since, DateTimeOffset? until, bool stream)
    {
        Filters = filters;
        Since = since;
        Until = until;
        Stream = stream;
    }

    /// <summary>Reads the command line's filters ("key=value") and times.</summary>
    /// <exception cref="EngineException">An unknown key, a filter without "=", a time that does not parse.</exception>
    public static EventQuery Parse(IEnumerable<string> filters, string? since, string? until, bool stream, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string f in filters)
        {
            int eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new EngineException($"{f} is an invalid filter");
            string key = f[..eq].ToLowerInvariant(), value = f[(eq + 1)..];
            if (!Keys.Contains(key)) throw new EngineException($"{f[..eq]} is an invalid filter");
            if (key == "status") key = "event";
            if (key == "type" && !EventTypes.All.Contains(value)) throw new EngineException($"unknown event type \"{value}\"");
            if (!map.TryGetValue(key, out var list)) map[key] = list = [];
            list.Add(value);
        }
        return new EventQuery(
            map.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal),
            ParseTime(since, "since", now, forward: false), ParseTime(until, "until", now, forward: true), stream);
    }

    private static DateTimeOffset? ParseTime(string? text, string what, DateTimeOffset now, bool forward)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try { return TimeInput.Parse(text, now, forward); }
        catch (EngineException e) { throw new EngineException($"unable to convert {what} time of {text}: {e.Message}"); }
    }

    public bool Matches(EngineEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (Since is { } s && e.Time <= s) return false;
        if (Until is { } u && e.Time >= u) return false;
        foreach (var (key, values) in Filters)
            if (!values.Any(v => Matches(key, v, e))) return false;
        return true;
    }

    private static bool Matches(string key, string value, EngineEvent e) => key switch
    {
        "container" => e.Type == EventTypes.Container && (e.Name == value || (e.Id ?? "").StartsWith(value, StringComparison.Ordinal)),
        "pod" => e.Type == EventTypes.Pod && (e.Name == value || (e.Id ?? "").StartsWith(value, StringComparison.Ordinal)),
        "image" => e.Type == EventTypes.Image && (e.Name == value || (value.Length > 0 && (e.Id ?? "").StartsWith(value.Replace("sha256:", "", StringComparison.Ordinal), StringComparison.Ordinal))),
        "volume" => e.Type == EventTypes.Volume && (e.Name == value || (e.Id ?? "").StartsWith(value, StringComparison.Ordinal)),
        "event" => e.Status == value,
        "type" => e.Type == value,
        "label" => MatchesLabel(value, e.Attributes),
        _ => false,
    };

    /// <summary>label=KEY=VALUE: the attribute has that value; label=KEY: the attribute is there.</summary>
    private static bool MatchesLabel(string filter, IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is null) return false;
        int eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? attributes.ContainsKey(filter) : attributes.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }
}
