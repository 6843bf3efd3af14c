using System.Globalization;

namespace Skiff.Engine.Rootless;

/// <summary>A range of subordinate ids from /etc/subuid or /etc/subgid (subuid(5)): "name-or-id:start:count".</summary>
public readonly record struct IdRange(uint Start, uint Count);

public static class SubordinateIds
{
    /// <summary>The ranges granted to the user, by name or numeric id, in file order. Malformed lines are skipped.</summary>
    public static IReadOnlyList<IdRange> Parse(string fileText, string userName, uint id)
    {
        var ranges = new List<IdRange>();
        string idText = id.ToString(CultureInfo.InvariantCulture);
        foreach (string raw in fileText.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            string[] f = line.Split(':');
            if (f.Length != 3 || (f[0] != userName && f[0] != idText)) continue;
            if (uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint start)
                && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint count) && count > 0)
                ranges.Add(new IdRange(start, count));
        }
        return ranges;
    }

    public static IReadOnlyList<IdRange> Read(string path, string userName, uint id)
        => File.Exists(path) ? Parse(File.ReadAllText(path), userName, id) : [];

    /// <summary>The user's name from /etc/passwd, or null.</summary>
    public static string? UserName(uint uid, string passwdPath = "/etc/passwd")
    {
        if (!File.Exists(passwdPath)) return null;
        string idText = uid.ToString(CultureInfo.InvariantCulture);
        foreach (string line in File.ReadLines(passwdPath))
        {
            string[] f = line.Split(':');
            if (f.Length >= 3 && f[2] == idText) return f[0];
        }
        return null;
    }

    /// <summary>
    /// The newuidmap/newgidmap arguments after the pid: "0 HOSTID 1" then the ranges stacked from 1.
    /// </summary>
    public static IReadOnlyList<string> MapArguments(uint hostId, IReadOnlyList<IdRange> ranges)
    {
        var args = new List<string> { "0", hostId.ToString(CultureInfo.InvariantCulture), "1" };
        uint next = 1;
        foreach (var r in ranges)
        {
            args.Add(next.ToString(CultureInfo.InvariantCulture));
            args.Add(r.Start.ToString(CultureInfo.InvariantCulture));
            args.Add(r.Count.ToString(CultureInfo.InvariantCulture));
            next += r.Count;
        }
        return args;
    }
}
