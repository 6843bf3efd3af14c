using System.Globalization;
using System.Text.RegularExpressions;
using Skiff.Engine.Events;

namespace Skiff.Engine.Containers;

/// <summary>
/// `ps --filter`: podman's container filters. Values given for one key match when any of them does (label=: when
/// all of them do), and every key given must match. id= and name= are regular expressions found anywhere in the
/// id or name; ancestor= the image's full id or its name (the ":latest" tag may be left out); before= and since=
/// containers created before or after the oldest container named; until= created before a time; exited= an
/// exit code of an exited container; status= podman's states (stopped is exited).
/// </summary>
public sealed class ContainerFilter
{
    private static readonly HashSet<string> Keys =
        ["id", "name", "label", "exited", "status", "ancestor", "before", "since", "volume", "health", "until", "pod", "network", "restart-policy"];

    /// <summary>podman's container states (define.StringToContainerStatus).</summary>
    public static readonly IReadOnlySet<string> States =
        new HashSet<string>(StringComparer.Ordinal) { "created", "running", "stopped", "paused", "exited", "unknown", "configured", "stopping", "removing" };

    private readonly Dictionary<string, List<string>> _values;
    private readonly DateTimeOffset? _before, _since, _until;
    private readonly List<int> _exitCodes = [];
    private readonly List<Regex> _ids = [], _names = [];

    private ContainerFilter(Dictionary<string, List<string>> values, DateTimeOffset? before, DateTimeOffset? since, DateTimeOffset? until)
    {
        _values = values;
        _before = before;
        _since = since;
        _until = until;
    }

    /// <summary>The keys given, each with its values.</summary>
    public IReadOnlyDictionary<string, List<string>> Values => _values;

    public bool IsEmpty => _values.Count == 0;

    /// <summary>
    /// Reads "key=value" filters (each may hold several, comma-separated, as podman's flag splits them).
    /// <paramref name="created"/> gives the creation time of a container by name or id (before=, since=).
    /// </summary>
    /// <exception cref="EngineException">podman's errors: an unknown key, a bad state or exit code, a container that does not exist.</exception>
    public static ContainerFilter Parse(IEnumerable<string> filters, Func<string, DateTimeOffset> created, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(created);
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string f in filters.SelectMany(f => f.Split(',')))
        {
            int eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) throw new EngineException($"invalid filter \"{f}\"");
            string key = f[..eq], value = f[(eq + 1)..];
            if (!Keys.Contains(key)) throw new EngineException($"{key} is an invalid filter");
            if (!values.TryGetValue(key, out var list)) values[key] = list = [];
            list.Add(value);
        }
        DateTimeOffset? Oldest(string key) => values.TryGetValue(key, out var names) ? names.Select(created).Min() : null;
        DateTimeOffset? until = null;
        if (values.TryGetValue("until", out var untils))
        {
            if (untils.Count != 1) throw new EngineException("specify exactly one timestamp for until");
            until = TimeInput.Parse(untils[0], now);
        }
        var filter = new ContainerFilter(values, Oldest("before"), Oldest("since"), until);
        foreach (string s in values.GetValueOrDefault("status") ?? [])
            if (!States.Contains(s)) throw new EngineException($"unknown container state: {s}: invalid argument");
        foreach (string e in values.GetValueOrDefault("exited") ?? [])
        {
            if (!int.TryParse(e, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int code))
                throw new EngineException($"exited code out of range \"{e}\": strconv.ParseInt: parsing \"{e}\": invalid syntax");
            filter._exitCodes.Add(code);
        }
        filter._ids.AddRange((values.GetValueOrDefault("id") ?? []).Select(Pattern));
        filter._names.AddRange((values.GetValueOrDefault("name") ?? []).Select(n => Pattern(n.Replace("/", "", StringComparison.Ordinal))));
        return filter;
    }

    private static Regex Pattern(string text)
    {
        try { return new Regex(text, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException) { return new Regex(Regex.Escape(text), RegexOptions.CultureInvariant); } // not a pattern: its text
    }

    /// <summary>Whether the container (in podman's <paramref name="state"/>: created, running, exited...) passes every filter.</summary>
    public bool Matches(ContainerRecord c, string state)
    {
        ArgumentNullException.ThrowIfNull(c);
        foreach (var (key, values) in _values)
        {
            bool ok = key switch
            {
                "id" => _ids.Any(r => r.IsMatch(c.Id)),
                "name" => _names.Any(r => r.IsMatch(c.Name)),
                "label" => values.All(l => HasLabel(c.Labels, l)),
                "exited" => state == "exited" && c.ExitCode is int code && _exitCodes.Contains(code),
                "status" => values.Any(s => (s == "stopped" ? "exited" : s) == state),
                "ancestor" => values.Any(a => IsAncestor(c, a)),
                "before" => c.Created < _before,
                "since" => c.Created > _since,
                "until" => c.Created < _until,
                "restart-policy" => values.Any(p => p == c.RestartPolicy || (p == "none" && c.RestartPolicy == "no")),
                // podman: a named volume the container mounts (its mount destinations are not recorded here).
                "volume" => values.Any(v => c.Volumes.Contains(v, StringComparer.Ordinal)),
                // Not kept by Skiff's containers yet: no health checks, pods or networks to match.
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>label=KEY=VALUE: the label has that value; label=KEY: the label is there.</summary>
    public static bool HasLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(filter);
        int eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }

    private static bool IsAncestor(ContainerRecord c, string value)
    {
        string id = value.StartsWith("sha256:", StringComparison.Ordinal) ? value[7..] : value;
        return (id.Length == 64 && id == c.ImageId) || c.ImageName == value || c.ImageName == value + ":latest";
    }
}
