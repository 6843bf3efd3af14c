using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>The options of a config.json mount split into mount(2) flags, propagation changes and the data string.</summary>
public sealed record MountOptions(ulong Flags, bool Bind, bool Recursive, IReadOnlyList<ulong> Propagation, string Data)
{
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagOptions = new(StringComparer.Ordinal)
    {
        ["ro"] = (false, MS_RDONLY), ["rw"] = (true, MS_RDONLY),
        ["nosuid"] = (false, MS_NOSUID), ["suid"] = (true, MS_NOSUID),
        ["nodev"] = (false, MS_NODEV), ["dev"] = (true, MS_NODEV),
        ["noexec"] = (false, MS_NOEXEC), ["exec"] = (true, MS_NOEXEC),
        ["sync"] = (false, MS_SYNCHRONOUS), ["async"] = (true, MS_SYNCHRONOUS),
        ["dirsync"] = (false, MS_DIRSYNC), ["remount"] = (false, MS_REMOUNT),
        ["mand"] = (false, MS_MANDLOCK), ["nomand"] = (true, MS_MANDLOCK),
        ["noatime"] = (false, MS_NOATIME), ["atime"] = (true, MS_NOATIME),
        ["nodiratime"] = (false, MS_NODIRATIME), ["diratime"] = (true, MS_NODIRATIME),
        ["relatime"] = (false, MS_RELATIME), ["norelatime"] = (true, MS_RELATIME),
        ["strictatime"] = (false, MS_STRICTATIME), ["nostrictatime"] = (true, MS_STRICTATIME),
        ["nosymfollow"] = (false, MS_NOSYMFOLLOW), ["symfollow"] = (true, MS_NOSYMFOLLOW),
        ["lazytime"] = (false, MS_LAZYTIME), ["nolazytime"] = (true, MS_LAZYTIME),
    };

    private static readonly Dictionary<string, ulong> PropagationOptions = new(StringComparer.Ordinal)
    {
        ["private"] = MS_PRIVATE, ["rprivate"] = MS_PRIVATE | MS_REC,
        ["shared"] = MS_SHARED, ["rshared"] = MS_SHARED | MS_REC,
        ["slave"] = MS_SLAVE, ["rslave"] = MS_SLAVE | MS_REC,
        ["unbindable"] = MS_UNBINDABLE, ["runbindable"] = MS_UNBINDABLE | MS_REC,
    };

    // Options of podman's mounts that are instructions to the engine, not to mount(2).
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "tmpcopyup", "notmpcopyup", "copy-symlink", "U", "z", "Z", "idmap" };

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0;
        bool bind = false, recursive = false;
        var propagation = new List<ulong>();
        var data = new List<string>();
        foreach (string option in options ?? [])
        {
            if (option is "bind") { bind = true; continue; }
            if (option is "rbind") { bind = true; recursive = true; continue; }
            if (FlagOptions.TryGetValue(option, out var f))
            {
                flags = f.Clear ? flags & ~f.Flag : flags | f.Flag;
                continue;
            }
            if (PropagationOptions.TryGetValue(option, out ulong p)) { propagation.Add(p); continue; }
            if (Ignored.Contains(option)) continue;
            data.Add(option);
        }
        return new MountOptions(flags, bind, recursive, propagation, string.Join(',', data));
    }
}
