using System.Globalization;
using System.Text;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Lifecycle;

/// <summary>
/// Writes the uid/gid maps of a child that waits in a new user namespace: directly when we may
/// (root, or one mapping of our own id), through newuidmap/newgidmap (package uidmap) otherwise.
/// </summary>
public static class IdMapWriter
{
    public static void Write(int pid, IReadOnlyList<IdMapping>? uids, IReadOnlyList<IdMapping>? gids)
    {
        uint euid = Libc.GetEUid();
        bool selfOnly = IsSelf(uids, euid) && IsSelf(gids, Libc.GetEGid());
        if (euid == 0 || selfOnly)
        {
            if (euid != 0 && gids is { Count: > 0 }) WriteFile($"/proc/{pid}/setgroups", "deny");
            if (uids is { Count: > 0 }) WriteFile($"/proc/{pid}/uid_map", Format(uids));
            if (gids is { Count: > 0 }) WriteFile($"/proc/{pid}/gid_map", Format(gids));
            return;
        }
        if (uids is { Count: > 0 }) RunHelper("newuidmap", pid, uids);
        if (gids is { Count: > 0 }) RunHelper("newgidmap", pid, gids);
    }

    public static string Format(IEnumerable<IdMapping> maps)
    {
        var sb = new StringBuilder();
        foreach (var m in maps) sb.Append(CultureInfo.InvariantCulture, $"{m.ContainerId} {m.HostId} {m.Size}\n");
        return sb.ToString();
    }

    private static bool IsSelf(IReadOnlyList<IdMapping>? maps, uint id) =>
        maps is null || maps.Count == 0 || (maps.Count == 1 && maps[0].HostId == id && maps[0].Size == 1);

    // The kernel takes a map in a single write(2).
    private static void WriteFile(string path, string content)
    {
        int fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CLOEXEC);
        if (fd < 0) Libc.ThrowErrno($"open {path}");
        using var handle = new SafeFd(fd);
        try { Libc.WriteAll(fd, Encoding.ASCII.GetBytes(content)); }
        catch (ErrnoException e) { throw new RuntimeException($"writing {path}: {e.Message}"); }
    }

    private static void RunHelper(string name, int pid, IEnumerable<IdMapping> maps)
    {
        string? path = new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new RuntimeException($"{name} not found: install the uidmap package");
        var args = new List<string> { name, pid.ToString(CultureInfo.InvariantCulture) };
        foreach (var m in maps)
        {
            args.Add(m.ContainerId.ToString(CultureInfo.InvariantCulture));
            args.Add(m.HostId.ToString(CultureInfo.InvariantCulture));
            args.Add(m.Size.ToString(CultureInfo.InvariantCulture));
        }
        using var child = CloneChild.Run(new CloneStartInfo { Path = path, Args = args, Env = ["PATH=/usr/bin:/bin"] });
        int code = child.WaitForExit();
        if (code != 0) throw new RuntimeException($"{name} {string.Join(' ', args.Skip(1))} failed with exit code {code}");
    }
}
