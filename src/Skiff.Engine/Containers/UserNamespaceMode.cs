using System.Globalization;
using Skiff.Oci.Runtime;

namespace Skiff.Engine.Containers;

/// <summary>
/// --userns as podman 4.3 takes it: "" and host (the container shares the engine's namespace: root's, or the
/// rootless user's) and keep-id[:uid=N,gid=N] (rootless only: a namespace of the container's own in which the
/// user's ids, or N, are the user's own ids on the host). The other modes are refused by name.
/// </summary>
public sealed record UserNamespaceMode(bool KeepId, uint? Uid, uint? Gid)
{
    public static readonly UserNamespaceMode Host = new(false, null, null);

    public static UserNamespaceMode Parse(string? mode, bool rootless)
    {
        if (mode is null or "" or "host") return Host;
        string kind = mode.Split(':', 2)[0];
        if (kind == "keep-id")
        {
            if (!rootless) throw new EngineException("keep-id is only supported in rootless mode");
            uint? uid = null, gid = null;
            string options = mode.Length > kind.Length ? mode[(kind.Length + 1)..] : "";
            foreach (string option in options.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = option.IndexOf('=', StringComparison.Ordinal);
                string key = eq < 0 ? option : option[..eq], value = eq < 0 ? "" : option[(eq + 1)..];
                switch (key)
                {
                    case "uid": uid = Id(value); break;
                    case "gid": gid = Id(value); break;
                    default: throw new EngineException($"unknown option specified: \"{key}\"");
                }
            }
            return new UserNamespaceMode(true, uid, gid);
        }
        if (kind is "auto" or "nomap" or "ns" or "container" or "private")
            throw new EngineException($"--userns {mode}: skiff does not support the {kind} user namespace mode yet (only host, the default, and keep-id)");
        throw new EngineException($"unrecognized namespace mode {mode} passed");
    }

    // podman's words come from Go's strconv.ParseUint (32 bits).
    private static uint Id(string text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint v) ? v
            : throw new EngineException(text.Length > 0 && text.All(char.IsAsciiDigit)
                ? $"strconv.ParseUint: parsing \"{text}\": value out of range"
                : $"strconv.ParseUint: parsing \"{text}\": invalid syntax");
}

/// <summary>
/// The id maps of a keep-id container, relative to the rootless namespace it is made in (where 0 is the user's own
/// id on the host and 1..Size-1 the subordinate ids): container ids 0..Id-1 are 1..Id, Id is 0 (the user), and the
/// ids above Id are themselves, as podman maps them.
/// </summary>
public sealed record KeepIdMaps(IReadOnlyList<IdMapping> Uids, IReadOnlyList<IdMapping> Gids)
{
    /// <summary>The user's own uid and gid on the host (0 of the rootless namespace).</summary>
    public uint HostUid { get; init; }
    public uint HostGid { get; init; }

    public static KeepIdMaps Make(uint uid, uint gid, uint uidSize, uint gidSize) => new(Map(uid, uidSize, "uid"), Map(gid, gidSize, "gid"));

    /// <summary>The id in the engine's namespace that container id <paramref name="id"/> is (what a file must be owned by to show as it).</summary>
    public static uint Outside(IReadOnlyList<IdMapping> maps, uint id)
    {
        foreach (var m in maps)
            if (id >= m.ContainerId && id - m.ContainerId < m.Size) return m.HostId + (id - m.ContainerId);
        return OverflowId;
    }

    /// <summary>The kernel's overflow id (65534), what an unmapped id shows as.</summary>
    public const uint OverflowId = 65534;

    private static List<IdMapping> Map(uint id, uint size, string what)
    {
        if (id >= size)
            throw new EngineException($"keep-id: {what} {id} is outside the {size} ids of the rootless user namespace (see /etc/sub{what})");
        var maps = new List<IdMapping>();
        if (id > 0) maps.Add(new IdMapping { ContainerId = 0, HostId = 1, Size = id });
        maps.Add(new IdMapping { ContainerId = id, HostId = 0, Size = 1 });
        if (size - id - 1 > 0) maps.Add(new IdMapping { ContainerId = id + 1, HostId = id + 1, Size = size - id - 1 });
        return maps;
    }

    /// <summary>
    /// The rootless namespace we run in, from /proc/self/uid_map or gid_map text: the host id that 0 is (the user's own) and
    /// how many ids it holds.
    /// </summary>
    public static (uint HostIdOfZero, uint Size) ParseOwnMap(string mapText)
    {
        uint hostZero = 0, size = 0;
        foreach (string line in mapText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 3 || !uint.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint inside)
                || !uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint outside)
                || !uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint count)) continue;
            if (inside == 0) hostZero = outside;
            size = Math.Max(size, inside + count);
        }
        return (hostZero, size);
    }
}
