using System.Globalization;

namespace Skiff.Engine.Containers;

/// <summary>The process identity inside the container, resolved against the image's /etc/passwd and /etc/group.</summary>
public sealed record ContainerUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home)
{
    /// <summary>
    /// Resolves "user[:group]" (names or numbers) as podman does: a name must exist in /etc/passwd; a number
    /// need not, and then the group is 0 and HOME is "/". Supplementary groups come from /etc/group.
    /// </summary>
    public static ContainerUser Resolve(string? spec, string? passwdText, string? groupText)
    {
        spec = string.IsNullOrEmpty(spec) ? "0" : spec;
        string userPart = spec, groupPart = "";
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) { userPart = spec[..colon]; groupPart = spec[(colon + 1)..]; }

        var passwd = ParseColonFile(passwdText, 7);
        string[]? entry = uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
            ? passwd.FirstOrDefault(f => f[2] == userPart)
            : passwd.FirstOrDefault(f => f[0] == userPart);
        if (entry is null && !uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
            throw new EngineException($"unable to find user {userPart}: no matching entries in passwd file");
        if (entry is not null) uid = Id(entry[2], $"uid of user {entry[0]} in the image's /etc/passwd");
        uint gid = entry is not null && uint.TryParse(entry[3], NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
        string home = entry is not null && entry[5].Length > 0 ? entry[5] : "/";
        string? userName = entry?[0];

        var groups = ParseColonFile(groupText, 4);
        if (groupPart.Length > 0)
        {
            if (uint.TryParse(groupPart, NumberStyles.None, CultureInfo.InvariantCulture, out uint ng)) gid = ng;
            else
            {
                var ge = groups.FirstOrDefault(f => f[0] == groupPart)
                    ?? throw new EngineException($"unable to find group {groupPart}: no matching entries in group file");
                gid = Id(ge[2], $"gid of group {ge[0]} in the image's /etc/group");
            }
        }
        var extra = new List<uint>();
        if (userName is not null && groupPart.Length == 0)
        {
            foreach (var f in groups)
            {
                if (f[3].Split(',').Contains(userName) && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint sg) && sg != gid && !extra.Contains(sg))
                    extra.Add(sg);
            }
        }
        return new ContainerUser(uid, gid, extra, home);
    }

    private static uint Id(string text, string what)
        => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id
            : throw new EngineException($"invalid {what}: \"{text}\"");

    /// <summary>The rows of a passwd or group file with at least <paramref name="fields"/> fields (comments and blank lines skipped).</summary>
    internal static List<string[]> ParseColonFile(string? text, int fields)
    {
        var rows = new List<string[]>();
        if (text is null) return rows;
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            string[] f = line.Split(':');
            if (f.Length >= fields) rows.Add(f);
        }
        return rows;
    }
}
