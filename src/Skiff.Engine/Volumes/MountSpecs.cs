namespace Skiff.Engine.Volumes;

/// <summary>
/// The parsing of `-v/--volume`, `--mount` and `--tmpfs` as podman 4 does it (pure: nothing is looked up), with
/// podman's messages for bad specs.
/// </summary>
public static class MountSpecs
{
    private static readonly HashSet<string> Propagations = ["private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"];

    /// <summary>tmpfs options podman passes on (and the generic flags).</summary>
    private static readonly string[] TmpfsKeys = ["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks"];

    private static readonly HashSet<string> GenericFlags =
    [
        "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "noatime", "atime", "relatime", "norelatime",
        "strictatime", "nostrictatime", "nodiratime", "diratime", "sync", "async", "dirsync", "tmpcopyup", "notmpcopyup",
        "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
    ];

    /// <summary>Every mount of the three flags, in order (-v, then --mount, then --tmpfs); an identical mount given twice counts once, two at one destination are an error.</summary>
    public static List<MountRequest> Parse(IEnumerable<string> volumes, IEnumerable<string> mounts, IEnumerable<string> tmpfs)
    {
        var all = volumes.Select(ParseVolume).Concat(mounts.Select(ParseMount)).Concat(tmpfs.Select(ParseTmpfs)).ToList();
        var result = new List<MountRequest>();
        foreach (var m in all)
        {
            var same = result.FirstOrDefault(r => r.CleanDestination == m.CleanDestination);
            if (same is null) result.Add(m);
            else if (!Equivalent(same, m)) throw new EngineException($"{m.CleanDestination}: duplicate mount destination");
        }
        return result;
    }

    private static bool Equivalent(MountRequest a, MountRequest b) =>
        a.Kind == b.Kind && a.Source == b.Source && a.ReadOnly == b.ReadOnly && a.Chown == b.Chown && a.Overlay == b.Overlay
        && a.Copy == b.Copy && a.Recursive == b.Recursive && a.Options.SequenceEqual(b.Options) && a.Source is not null;

    /// <summary>-v [SOURCE:]DEST[:OPTIONS]: a host path (absolute or starting with "."), a volume name, or no source (an anonymous volume).</summary>
    public static MountRequest ParseVolume(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string[] parts = spec.Split(':');
        if (parts.Length > 3) throw new EngineException($"{spec}: incorrect volume format, should be [host-dir:]ctr-dir[:option]");
        string? source = null;
        string dest = parts[0];
        var options = new List<string>();
        if (parts.Length > 2) options = ValidateVolumeOptions(parts[2].Split(','));
        if (parts.Length > 1)
        {
            source = parts[0];
            if (source.Length == 0) throw new EngineException("host directory cannot be empty");
            dest = parts[1];
        }
        CheckDestination(dest);
        bool bind = source is not null && (source.StartsWith('/') || source.StartsWith('.'));
        if (bind) source = Path.GetFullPath(source!);
        bool ro = false, chown = false, overlay = false, recursive = true;
        bool? copy = null;
        var pass = new List<string>();
        foreach (string o in options)
        {
            switch (o)
            {
                case "ro": ro = true; break;
                case "rw": break;
                case "z" or "Z": break; // SELinux relabelling: there is no SELinux here
                case "U": chown = true; break;
                case "O": overlay = true; break;
                case "copy": copy = true; break;
                case "nocopy": copy = false; break;
                case "bind": recursive = false; break;
                case "rbind": break;
                default: pass.Add(o); break;
            }
        }
        if (overlay && source is null) throw new EngineException("invalid volume \"" + spec + "\": an overlay (O) needs a source");
        return new MountRequest
        {
            Kind = bind ? MountKind.Bind : MountKind.Volume,
            Source = source,
            Destination = dest,
            ReadOnly = ro,
            Chown = chown,
            Overlay = overlay,
            Copy = copy,
            Recursive = recursive,
            Options = pass,
        };
    }

    /// <summary>podman's ValidateVolumeOpts: one of each exclusive group, known words only, O alone.</summary>
    private static List<string> ValidateVolumeOptions(string[] options)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string joined = string.Join(", ", options);
        void One(string group, string message)
        {
            seen[group] = seen.GetValueOrDefault(group) + 1;
            if (seen[group] > 1) throw new EngineException($"invalid options \"{joined}\", can only specify 1 {message} option");
        }
        foreach (string o in options)
        {
            switch (o)
            {
                case "noexec" or "exec": One("exec", "'noexec' or 'exec'"); break;
                case "nodev" or "dev": One("dev", "'nodev' or 'dev'"); break;
                case "nosuid" or "suid": One("suid", "'nosuid' or 'suid'"); break;
                case "rw" or "ro": One("rw", "'rw' or 'ro'"); break;
                case "z" or "Z" or "O": One("label", "'z', 'Z', or 'O'"); break;
                case "bind" or "rbind": One("bind", "'[r]bind'"); break;
                case "copy" or "nocopy": One("copy", "'copy' or 'nocopy'"); break;
                case "U": One("U", "'U'"); break;
                case "noatime" or "atime" or "relatime" or "strictatime" or "nodiratime" or "sync" or "dirsync": break;
                case "notmpcopyup" or "tmpcopyup": break;
                default:
                    if (Propagations.Contains(o)) { One("propagation", "'[r]shared', '[r]private', '[r]slave' or '[r]unbindable'"); break; }
                    throw new EngineException($"invalid option type \"{o}\"");
            }
        }
        if (options.Contains("O") && options.Length > 1) throw new EngineException("can't use 'O' with other options");
        return [.. options];
    }

    private const string MountFormat = "incorrect mount format: should be --mount type=<bind|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]";

    /// <summary>--mount type=bind|volume|tmpfs,src=...,dst=...[,options] (docker's syntax, podman's words).</summary>
    public static MountRequest ParseMount(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var fields = spec.Split(',');
        string? type = null;
        foreach (string f in fields)
        {
            var (k, v) = KeyValue(f);
            if (k == "type") type = v;
        }
        if (type is null) throw new EngineException(MountFormat);
        if (type is not ("bind" or "volume" or "tmpfs")) throw new EngineException($"invalid filesystem type \"{type}\"");
        string? source = null, dest = null;
        bool ro = false, chown = false, recursive = true;
        bool? copy = null;
        var options = new List<string>();
        foreach (string f in fields)
        {
            var (key, value) = KeyValue(f);
            switch (key)
            {
                case "type": break;
                case "src" or "source":
                    if (type == "tmpfs") throw new EngineException("source is not supported with tmpfs mounts");
                    if (value is null or "") throw new EngineException($"{key}: must provide an argument for option");
                    source = value;
                    break;
                case "dst" or "destination" or "target":
                    if (value is null or "") throw new EngineException($"{key}: must provide an argument for option");
                    CheckDestination(value);
                    dest = value;
                    break;
                case "ro" or "readonly" or "rw":
                    bool on = value switch
                    {
                        null or "true" => true,
                        "false" => false,
                        _ => throw new EngineException($"'readonly', 'ro', or 'rw' must be set to true or false, instead received \"{value}\": must provide an argument for option"),
                    };
                    ro = key == "rw" ? !on : on;
                    break;
                case "bind-propagation" when type == "bind":
                    if (value is null || !Propagations.Contains(value)) throw new EngineException($"invalid option type \"{value}\"");
                    options.Add(value);
                    break;
                case "bind-nonrecursive" when type == "bind": recursive = false; break;
                case "relabel" when type != "tmpfs":
                    if (value is not ("shared" or "private")) throw new EngineException("relabel option must be 'shared' or 'private'");
                    break;
                case "U" or "chown" when type != "tmpfs":
                    chown = value is null or "true" ? true : value == "false" ? false : throw new EngineException($"'U' or 'chown' must be set to true or false, instead received \"{value}\": must provide an argument for option");
                    break;
                case "consistency": break; // docker's, for macOS: nothing to do on Linux (podman ignores it too)
                case "nocopy" when type == "volume": copy = false; break;
                case "copy" when type == "volume": copy = value is null or "true"; break;
                case "tmpfs-size" when type == "tmpfs":
                    if (value is null or "") throw new EngineException($"{key}: must provide an argument for option");
                    options.Add("size=" + value);
                    break;
                case "tmpfs-mode" when type == "tmpfs":
                    if (value is null or "") throw new EngineException($"{key}: must provide an argument for option");
                    options.Add("mode=" + value);
                    break;
                case "tmpcopyup" or "notmpcopyup" when type == "tmpfs": options.Add(key); break;
                case "nosuid" or "suid" or "nodev" or "dev" or "noexec" or "exec":
                    options.Add(key);
                    break;
                default:
                    throw new EngineException($"{key}: invalid mount option");
            }
        }
        if (dest is null) throw new EngineException("must set volume destination");
        // podman binds the destination's own path when no source is given
        if (type == "bind") source = Path.GetFullPath(source ?? dest);
        return new MountRequest
        {
            Kind = type switch { "bind" => MountKind.Bind, "volume" => MountKind.Volume, _ => MountKind.Tmpfs },
            Source = source,
            Destination = dest,
            ReadOnly = ro,
            Chown = chown,
            Copy = copy,
            Recursive = recursive,
            Options = options,
        };
    }

    /// <summary>--tmpfs DEST[:OPTIONS] (size=, mode=, uid=, gid=, nr_inodes= and the mount flags).</summary>
    public static MountRequest ParseTmpfs(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string dest = colon < 0 ? spec : spec[..colon];
        CheckDestination(dest);
        var options = new List<string>();
        bool ro = false;
        if (colon >= 0)
        {
            foreach (string o in spec[(colon + 1)..].Split(','))
            {
                int eq = o.IndexOf('=', StringComparison.Ordinal);
                string key = eq < 0 ? o : o[..eq];
                if (eq < 0 ? !GenericFlags.Contains(o) : !TmpfsKeys.Contains(key))
                    throw new EngineException($"unknown mount option \"{o}\": invalid mount option");
                if (o == "ro") ro = true;
                else if (o != "rw") options.Add(o);
            }
        }
        return new MountRequest { Kind = MountKind.Tmpfs, Destination = dest, ReadOnly = ro, Options = options };
    }

    private static (string Key, string? Value) KeyValue(string field)
    {
        int eq = field.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (field, null) : (field[..eq], field[(eq + 1)..]);
    }

    private static void CheckDestination(string dest)
    {
        if (!dest.StartsWith('/')) throw new EngineException($"invalid container path \"{dest}\", must be an absolute path");
    }

    /// <summary>A container path made absolute and lexically clean.</summary>
    public static string Clean(string path) => Skiff.Interop.RootedPath.Clean(path);
}
