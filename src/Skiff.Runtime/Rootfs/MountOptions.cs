using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// The options of a config.json mount: mount(2) flags, propagation changes, the recursive attributes of
/// runtime-spec 1.1 (rro, rnosuid...), idmap/ridmap, tmpcopyup, and what is left for the filesystem (data).
/// Later options override earlier ones, as with mount(8).
/// </summary>
public sealed record MountOptions
{
    /// <summary>MS_* flags: per-mount (ro, nosuid, nodev, noexec, atime, nosymfollow) and superblock (sync, dirsync, mand, lazytime).</summary>
    public ulong Flags { get; init; }
    public bool Bind { get; init; }
    public bool Recursive { get; init; }
    /// <summary>MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (with MS_REC for the r- forms), in order.</summary>
    public IReadOnlyList<ulong> Propagation { get; init; } = [];
    /// <summary>MOUNT_ATTR_* set and cleared on the mount and all its submounts (mount_setattr AT_RECURSIVE).</summary>
    public ulong RecursiveSet { get; init; }
    public ulong RecursiveClear { get; init; }
    /// <summary>idmap (the mount only) or ridmap (with its submounts): the mount's uidMappings/gidMappings apply.</summary>
    public bool Idmap { get; init; }
    public bool RecursiveIdmap { get; init; }
    /// <summary>tmpfs only: the new tmpfs starts with a copy of the directory it covers (podman's --tmpfs default).</summary>
    public bool TmpCopyUp { get; init; }
    /// <summary>Options for the filesystem itself (size=, mode=, newinstance...): the kernel judges them.</summary>
    public IReadOnlyList<string> Data { get; init; } = [];

    /// <summary>The data options as one mount(2) string.</summary>
    public string DataString => string.Join(',', Data);

    /// <summary>The per-mount flags a bind remount sets.</summary>
    public const ulong PerMountFlags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
        MS_STRICTATIME | MS_NOSYMFOLLOW;

    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagOptions = new(StringComparer.Ordinal)
    {
        ["defaults"] = (false, 0),
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
        ["silent"] = (false, MS_SILENT), ["loud"] = (true, MS_SILENT),
        ["iversion"] = (false, MS_I_VERSION), ["noiversion"] = (true, MS_I_VERSION),
    };

    private const ulong MS_I_VERSION = 1 << 23;

    private static readonly Dictionary<string, ulong> PropagationOptions = new(StringComparer.Ordinal)
    {
        ["private"] = MS_PRIVATE, ["rprivate"] = MS_PRIVATE | MS_REC,
        ["shared"] = MS_SHARED, ["rshared"] = MS_SHARED | MS_REC,
        ["slave"] = MS_SLAVE, ["rslave"] = MS_SLAVE | MS_REC,
        ["unbindable"] = MS_UNBINDABLE, ["runbindable"] = MS_UNBINDABLE | MS_REC,
    };

    // runtime-spec 1.1 recursive attributes (mount_setattr(2)); the atime ones are one value, not bits.
    private static readonly Dictionary<string, (bool Clear, ulong Attr)> RecursiveOptions = new(StringComparer.Ordinal)
    {
        ["rro"] = (false, MOUNT_ATTR_RDONLY), ["rrw"] = (true, MOUNT_ATTR_RDONLY),
        ["rnosuid"] = (false, MOUNT_ATTR_NOSUID), ["rsuid"] = (true, MOUNT_ATTR_NOSUID),
        ["rnodev"] = (false, MOUNT_ATTR_NODEV), ["rdev"] = (true, MOUNT_ATTR_NODEV),
        ["rnoexec"] = (false, MOUNT_ATTR_NOEXEC), ["rexec"] = (true, MOUNT_ATTR_NOEXEC),
        ["rnodiratime"] = (false, MOUNT_ATTR_NODIRATIME), ["rdiratime"] = (true, MOUNT_ATTR_NODIRATIME),
        ["rnosymfollow"] = (false, MOUNT_ATTR_NOSYMFOLLOW), ["rsymfollow"] = (true, MOUNT_ATTR_NOSYMFOLLOW),
    };

    private static readonly Dictionary<string, ulong> RecursiveAtime = new(StringComparer.Ordinal)
    {
        ["rrelatime"] = MOUNT_ATTR_RELATIME, ["rnoatime"] = MOUNT_ATTR_NOATIME, ["rstrictatime"] = MOUNT_ATTR_STRICTATIME,
        // Clearing one atime mode means the default one (relatime): mount_setattr takes the mode as a whole.
        ["rnorelatime"] = MOUNT_ATTR_STRICTATIME, ["ratime"] = MOUNT_ATTR_RELATIME, ["rnostrictatime"] = MOUNT_ATTR_RELATIME,
    };

    /// <summary>
    /// podman's and docker's options that speak to the engine, not to the kernel; runc ignores them too
    /// (notmpcopyup is the default here; z/Z relabel and U chown are done by the engine; nocopy is docker's).
    /// </summary>
    private static readonly HashSet<string> EngineOptions = new(StringComparer.Ordinal) { "notmpcopyup", "copy-symlink", "U", "z", "Z", "nocopy" };

    /// <summary>Every option this parser interprets itself (what `features` lists as mountOptions).</summary>
    public static IReadOnlyList<string> Known =>
    [
        .. new[] { "bind", "rbind", "idmap", "ridmap", "tmpcopyup" }, .. FlagOptions.Keys, .. PropagationOptions.Keys, .. RecursiveOptions.Keys, .. RecursiveAtime.Keys,
    ];

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0, recSet = 0, recClear = 0;
        bool bind = false, recursive = false, idmap = false, ridmap = false, copyUp = false;
        var propagation = new List<ulong>();
        var data = new List<string>();
        foreach (string option in options ?? [])
        {
            switch (option)
            {
                case "bind": bind = true; continue;
                case "rbind": bind = true; recursive = true; continue;
                case "idmap": idmap = true; continue;
                case "ridmap": idmap = true; ridmap = true; continue;
                case "tmpcopyup": copyUp = true; continue;
            }
            if (FlagOptions.TryGetValue(option, out var f))
            {
                flags = f.Clear ? flags & ~f.Flag : flags | f.Flag;
                // The atime modes exclude each other: the last one named wins.
                if (!f.Clear && (f.Flag & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) != 0)
                    flags = (flags & ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) | f.Flag;
                continue;
            }
            if (PropagationOptions.TryGetValue(option, out ulong p)) { propagation.Add(p); continue; }
            if (RecursiveOptions.TryGetValue(option, out var r))
            {
                if (r.Clear) { recClear |= r.Attr; recSet &= ~r.Attr; }
                else { recSet |= r.Attr; recClear &= ~r.Attr; }
                continue;
            }
            if (RecursiveAtime.TryGetValue(option, out ulong atime))
            {
                recSet = (recSet & ~MOUNT_ATTR__ATIME) | atime;
                recClear |= MOUNT_ATTR__ATIME;
                continue;
            }
            if (EngineOptions.Contains(option)) continue;
            data.Add(option);
        }
        return new MountOptions
        {
            Flags = flags, Bind = bind, Recursive = recursive, Propagation = propagation, RecursiveSet = recSet, RecursiveClear = recClear,
            Idmap = idmap, RecursiveIdmap = ridmap, TmpCopyUp = copyUp, Data = data,
        };
    }

    /// <summary>Parses linux.rootfsPropagation (shared, rslave, private...); null when unset.</summary>
    public static ulong? ParsePropagation(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return PropagationOptions.TryGetValue(value, out ulong p) ? p
            : throw new RuntimeException($"linux.rootfsPropagation: {value} is not one of shared, slave, private, unbindable (or their r- forms)");
    }

    /// <summary>MS_* flags as the option names of mount(8), for messages and records ("ro,nosuid").</summary>
    public static string Describe(ulong flags)
    {
        var names = new List<string>();
        foreach (var (name, (clear, flag)) in FlagOptions)
            if (!clear && flag != 0 && (flags & flag) == flag && name != "remount") names.Add(name);
        foreach (var (name, p) in PropagationOptions)
            if ((flags & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE | MS_REC)) == p) names.Add(name);
        return string.Join(',', names);
    }
}
