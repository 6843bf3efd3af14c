namespace Skiff.Engine;

/// <summary>--label KEY=VALUE for containers and volumes (a key alone gets an empty value; an empty key is refused).</summary>
public static class Labels
{
    public static Dictionary<string, string> Parse(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string l in labels)
        {
            int eq = l.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? l : l[..eq];
            if (key.Length == 0) throw new EngineException($"invalid label \"{l}\": the key is empty");
            result[key] = eq < 0 ? "" : l[(eq + 1)..];
        }
        return result;
    }
}
