using System.Globalization;
using System.Text.RegularExpressions;

namespace Skiff.Engine.Volumes;

/// <summary>
/// `volume ls --filter` and `volume prune --filter`, podman's keys: name (a regular expression), label / label!
/// (KEY or KEY=VALUE), driver, dangling (true/false), until (a time or a duration ago). Values of one key are ORed,
/// different keys ANDed.
/// </summary>
public sealed class VolumeFilter
{
    private readonly Dictionary<string, List<string>> _filters = new(StringComparer.Ordinal);

    public static readonly VolumeFilter None = new();

    /// <summary>From the KEY=VALUE arguments; <paramref name="allowed"/> are the keys this verb takes.</summary>
    public static VolumeFilter Parse(IEnumerable<string> filters, IReadOnlyCollection<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(allowed);
        var f = new VolumeFilter();
        foreach (string raw in filters)
        {
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) throw new EngineException($"filter input must be in the form of filter=value: {raw} is invalid");
            string key = raw[..eq], value = raw[(eq + 1)..];
            if (!allowed.Contains(key)) throw new EngineException($"\"{key}\" is an invalid volume filter");
            if (key == "dangling" && value is not ("true" or "false" or "1" or "0"))
                throw new EngineException($"\"{value}\" is not a valid value for the \"dangling\" filter - must be true or false");
            if (key == "until") Until(value); // checked now
            if (key == "name")
            {
                try { _ = new Regex(value, RegexOptions.None, TimeSpan.FromSeconds(1)); }
                catch (ArgumentException) { throw new EngineException($"invalid name filter \"{value}\": not a regular expression"); }
            }
            if (!f._filters.TryGetValue(key, out var list)) f._filters[key] = list = [];
            list.Add(value);
        }
        return f;
    }

    public static readonly string[] ListKeys = ["name", "label", "label!", "driver", "dangling", "scope", "until", "opt"];
    public static readonly string[] PruneKeys = ["label", "label!", "until"];

    public bool Matches(VolumeRecord v, bool inUse)
    {
        ArgumentNullException.ThrowIfNull(v);
        foreach (var (key, values) in _filters)
        {
            bool ok = key switch
            {
                "name" => values.Any(x => Regex.IsMatch(v.Name, x, RegexOptions.None, TimeSpan.FromSeconds(1))),
                "label" => values.Any(x => HasLabel(v, x)),
                "label!" => !values.Any(x => HasLabel(v, x)),
                "driver" => values.Contains(v.Driver),
                "scope" => values.Contains("local"),
                "dangling" => values.Any(x => (x is "true" or "1") == !inUse),
                "until" => values.Any(x => v.CreatedAt < Until(x)),
                "opt" => values.Any(x => v.Options.Any(kv => x == kv.Key || x == $"{kv.Key}={kv.Value}")),
                _ => true,
            };
            if (!ok) return false;
        }
        return true;
    }

    private static bool HasLabel(VolumeRecord v, string filter)
    {
        int eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? v.Labels.ContainsKey(filter) : v.Labels.TryGetValue(filter[..eq], out var value) && value == filter[(eq + 1)..];
    }

    /// <summary>until=: a Unix time, an RFC 3339 time, or a Go duration (10m, 1h30m) before now.</summary>
    private static DateTimeOffset Until(string value)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long unix)) return DateTimeOffset.FromUnixTimeSeconds(unix);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        var m = Regex.Match(value, @"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$", RegexOptions.None, TimeSpan.FromSeconds(1));
        if (value.Length > 0 && m.Success)
        {
            double Part(int i) => m.Groups[i].Success ? double.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
            return DateTimeOffset.UtcNow - TimeSpan.FromHours(Part(1)) - TimeSpan.FromMinutes(Part(2)) - TimeSpan.FromSeconds(Part(3));
        }
        throw new EngineException($"invalid until filter \"{value}\": use a time or a duration (10m, 1h)");
    }
}
