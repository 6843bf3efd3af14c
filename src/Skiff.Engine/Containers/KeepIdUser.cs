using System.Globalization;

namespace Skiff.Engine.Containers;

/// <summary>
/// The user of a keep-id container, as podman 4.3 makes it: the process runs as the user's uid and gid (or keep-id's
/// uid=, gid=), with the gid as its one supplementary group too, and /etc/passwd and /etc/group get an entry for it when the image has none.
/// </summary>
public sealed record KeepIdUser(ContainerUser User, string? PasswdLine, string? GroupLine)
{
    /// <param name="mode">the keep-id mode (its uid= and gid=, if given)</param>
    /// <param name="hostUid">the user's uid on the host</param>
    /// <param name="hostGid">the user's gid on the host</param>
    /// <param name="hostPasswd">the host's /etc/passwd, for the user's name, comment and home</param>
    /// <param name="hostGroup">the host's /etc/group, for the group's name</param>
    /// <param name="imagePasswd">the image's /etc/passwd, or null</param>
    /// <param name="imageGroup">the image's /etc/group, or null</param>
    /// <param name="workingDir">the container's working directory (the home when the user's own is not in the container)</param>
    /// <param name="inContainer">whether a directory is in the container (in the image, or a mount destination)</param>
    public static KeepIdUser Make(UserNamespaceMode mode, uint hostUid, uint hostGid, string? hostPasswd, string? hostGroup,
        string? imagePasswd, string? imageGroup, string workingDir, Func<string, bool> inContainer)
    {
        var made = MakeUnchecked(mode, hostUid, hostGid, hostPasswd, hostGroup, imagePasswd, workingDir, inContainer);
        // A group the image already has keeps its own entry.
        string gidText = Text(made.User.Gid);
        return ContainerUser.ParseColonFile(imageGroup, 4).Any(f => f[2] == gidText) ? made with { GroupLine = null } : made;
    }

    private static KeepIdUser MakeUnchecked(UserNamespaceMode mode, uint hostUid, uint hostGid, string? hostPasswd, string? hostGroup,
        string? imagePasswd, string workingDir, Func<string, bool> inContainer)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(inContainer);
        uint uid = mode.Uid ?? hostUid, gid = mode.Gid ?? hostGid;
        var image = ContainerUser.ParseColonFile(imagePasswd, 7);
        if (mode.Uid is not null || mode.Gid is not null)
        {
            // podman: a numeric user the image lacks gets a generic entry, its group one named by its id.
            string u = Text(uid), g = Text(gid);
            var existing = image.FirstOrDefault(f => f[2] == u);
            string home = existing is not null && existing[5].Length > 0 ? existing[5] : workingDir;
            return new KeepIdUser(new ContainerUser(uid, gid, [gid], home),
                existing is null ? $"{u}:*:{u}:{g}:container user:{workingDir}:/bin/sh" : null,
                $"{g}:x:{g}:{u}");
        }
        var hostEntry = ContainerUser.ParseColonFile(hostPasswd, 7).FirstOrDefault(f => f[2] == Text(hostUid));
        string name = hostEntry?[0] ?? Text(hostUid);
        string hostHome = hostEntry?[5] is { Length: > 0 } h ? h : "/";
        var inImage = image.FirstOrDefault(f => f[0] == name) ?? image.FirstOrDefault(f => f[2] == Text(uid));
        if (inImage is not null)
            return new KeepIdUser(new ContainerUser(uid, gid, [gid], inImage[5].Length > 0 ? inImage[5] : "/"), null, null);
        // The user's home when it (or a directory above it) is in the container, else the working directory.
        string homeDir = workingDir;
        for (string dir = hostHome; dir != "/" && dir.Length > 0; dir = Path.GetDirectoryName(dir) ?? "/")
        {
            if (inContainer(dir)) { homeDir = hostHome; break; }
        }
        string groupName = ContainerUser.ParseColonFile(hostGroup, 4).FirstOrDefault(f => f[2] == Text(hostGid))?[0] ?? Text(hostGid);
        string primaryGid = hostEntry?[3] ?? Text(hostGid);
        return new KeepIdUser(new ContainerUser(uid, gid, [gid], homeDir),
            $"{name}:*:{Text(uid)}:{primaryGid}:{hostEntry?[4] ?? ""}:{homeDir}:/bin/sh",
            $"{groupName}:x:{Text(gid)}:{name}");
    }

    /// <summary>The file's text with <paramref name="line"/> appended (on a line of its own).</summary>
    public static string Append(string? text, string line)
    {
        text ??= "";
        if (text.Length > 0 && !text.EndsWith('\n')) text += "\n";
        return text + line + "\n";
    }

    private static string Text(uint id) => id.ToString(CultureInfo.InvariantCulture);
}
