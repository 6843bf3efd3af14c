using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.TestSupport;

/// <summary>Compares our JSON with podman's recorded output by shape: keys, their order and value types, not values.</summary>
public static class JsonShape
{
    /// <summary>
    /// Where <paramref name="ours"/> differs from podman's in keys, their order or value types (a null may stand for an
    /// empty list or map); objects at the paths in <paramref name="maps"/> hold data as keys and are not compared.
    /// </summary>
    public static List<string> Differences(JsonNode? podmans, JsonNode? ours, string path, IReadOnlySet<string> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        var differences = new List<string>();
        if (podmans is null || ours is null) return differences;
        if (podmans.GetValueKind() != ours.GetValueKind())
        {
            differences.Add($"{path}: podman's is {podmans.GetValueKind()}, ours {ours.GetValueKind()}");
            return differences;
        }
        switch (podmans)
        {
            case JsonObject p when !maps.Contains(path):
                var o = (JsonObject)ours;
                var pk = p.Select(kv => kv.Key).ToList();
                var ok = o.Select(kv => kv.Key).ToList();
                if (!pk.SequenceEqual(ok)) differences.Add($"{path}: podman's keys {string.Join(',', pk)}; ours {string.Join(',', ok)}");
                foreach (var (key, value) in p)
                    if (o.TryGetPropertyValue(key, out var mine)) differences.AddRange(Differences(value, mine, path + "." + key, maps));
                break;
            case JsonArray pa when pa.Count > 0 && ((JsonArray)ours).Count > 0:
                differences.AddRange(Differences(pa[0], ((JsonArray)ours)[0], path, maps));
                break;
        }
        return differences;
    }
}
