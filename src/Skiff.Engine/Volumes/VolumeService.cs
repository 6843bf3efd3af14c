using System.Globalization;
using System.Security.Cryptography;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.Interop;
using Skiff.Storage.Locking;

namespace Skiff.Engine.Volumes;

/// <summary>`volume create`: the name (null: a generated one), the local driver's -o options and the labels.</summary>
public sealed record VolumeCreateOptions
{
    public string? Name { get; init; }
    public string? Driver { get; init; }
    public IReadOnlyList<string> Options { get; init; } = [];
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>--ignore: an existing volume of that name is returned as it is.</summary>
    public bool IgnoreIfExists { get; init; }
}

/// <summary>
/// Volumes of the local driver, podman's layout: GRAPHROOT/volumes/NAME/_data, the records in the state database.
/// The directories change under GRAPHROOT/volumes/.lock; a directory is complete before its record is written (a
/// directory without a record, left by a killed command, is replaced by the next create of that name) and the record
/// is deleted before its directory.
/// </summary>
public sealed class VolumeService(SkiffPaths paths)
{
    /// <summary>podman's words for a name it refuses.</summary>
    public const string NameRule = "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*";

    private ContainerDatabase? _db;

    internal ContainerDatabase Db => _db ??= new ContainerDatabase(ContainerDatabase.DefaultPath(paths));

    public string Root => Path.Combine(paths.GraphRoot, "volumes");

    /// <summary>Held while volume directories change (create, remove, a first mount's copy-up).</summary>
    internal FileLock Lock()
    {
        Directory.CreateDirectory(Root);
        return FileLock.AcquireExclusive(Path.Combine(Root, ".lock"));
    }

    public static bool IsValidName(string name) => NameGenerator.IsValid(name);

    public static string NewAnonymousName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public VolumeRecord Create(VolumeCreateOptions options, bool anonymous = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        string driver = string.IsNullOrEmpty(options.Driver) ? "local" : options.Driver;
        string name = options.Name ?? NewAnonymousName();
        if (driver != "local")
            throw new EngineException($"volume {name} uses volume plugin {driver} but it could not be retrieved: no volume plugin with name {driver} available: required plugin missing");
        if (!IsValidName(name)) throw new EngineException($"running volume create option: {NameRule}: invalid argument");
        var opts = ParseOptions(options.Options);
        var labels = Labels.Parse(options.Labels);
        using var l = Lock();
        if (Db.GetVolume(name) is { } existing)
        {
            if (options.IgnoreIfExists) return existing;
            throw new EngineException($"volume with name {name} already exists: volume already exists");
        }
        string dir = Path.Combine(Root, name);
        if (Directory.Exists(dir)) DeleteTree(dir); // left by a create or rm that was killed: it has no record
        string tmp = Path.Combine(Root, $".tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(tmp);
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string data = Path.Combine(tmp, "_data");
            Directory.CreateDirectory(data);
            File.SetUnixFileMode(data, (UnixFileMode)0x1ed); // 0755
            Directory.Move(tmp, dir);
            AtomicFile.FsyncDirectory(Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDeleteTree(tmp);
            throw new EngineException($"creating volume directory {dir}: {ErrorText.Of(e)}");
        }
        var record = new VolumeRecord
        {
            Name = name,
            Driver = driver,
            Mountpoint = Path.Combine(dir, "_data"),
            CreatedAt = DateTimeOffset.UtcNow,
            Labels = labels,
            Options = opts,
            Anonymous = anonymous,
        };
        try
        {
            if (!Db.InsertVolume(record)) throw new EngineException($"volume with name {name} already exists: volume already exists");
        }
        catch
        {
            TryDeleteTree(dir);
            throw;
        }
        return record;
    }

    /// <summary>The local driver's -o options: type, device, o (and podman's refusal of quota options it cannot apply).</summary>
    public static Dictionary<string, string> ParseOptions(IReadOnlyList<string> options)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string o in options)
        {
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? o : o[..eq], value = eq < 0 ? "" : o[(eq + 1)..];
            switch (key.ToLowerInvariant())
            {
                case "type" or "device" or "o":
                    result[key.ToLowerInvariant()] = value;
                    break;
                case "size" or "inodes":
                    throw new EngineException("volume options size and inodes not supported. Filesystem does not support Project Quota");
                default:
                    throw new EngineException($"invalid mount option {key} for driver 'local': invalid argument");
            }
        }
        return result;
    }


    public VolumeRecord Get(string name) => Db.GetVolume(name) ?? throw NoSuchVolume(name);

    public bool Exists(string name) => Db.GetVolume(name) is not null;

    public IReadOnlyList<VolumeRecord> List() => Db.AllVolumes();

    /// <summary>The containers (ids) whose records name the volume.</summary>
    public List<string> Users(string name) => Db.VolumeUsers(name);

    public static EngineException NoSuchVolume(string name) => new($"no volume with name \"{name}\" found: no such volume", ErrorKind.NoSuchObject);

    /// <summary>Removes an unused volume, its record first, then its directory. In use: podman's message, <see cref="ErrorKind.InUse"/>.</summary>
    public void Remove(string name)
    {
        using var l = Lock();
        var users = Db.RemoveVolumeUnlessUsed(name, out bool existed);
        if (users.Count > 0)
            throw new EngineException($"volume {name} is being used by the following container(s): {string.Join(", ", users)}: volume is being used", ErrorKind.InUse);
        if (!existed) throw NoSuchVolume(name);
        DeleteDirectory(name);
    }

    /// <summary>Anonymous volumes a removed container had: each one no other container uses goes; never throws.</summary>
    public void RemoveAnonymous(IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            try
            {
                using var l = Lock();
                var users = Db.RemoveVolumeUnlessUsed(name, out bool existed);
                if (users.Count == 0) DeleteDirectory(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or EngineException or ErrnoException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
            {
                Console.Error.WriteLine($"Warning: removing anonymous volume {name}: {ErrorText.Of(e)}");
            }
        }
    }

    /// <summary>Removes every volume no container uses that <paramref name="filter"/> keeps; their names, in order.</summary>
    public List<string> Prune(VolumeFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var removed = new List<string>();
        foreach (var v in List())
        {
            if (!filter.Matches(v, Users(v.Name).Count > 0)) continue;
            using var l = Lock();
            var users = Db.RemoveVolumeUnlessUsed(v.Name, out bool existed);
            if (users.Count > 0 || !existed) continue;
            DeleteDirectory(v.Name);
            removed.Add(v.Name);
        }
        return removed;
    }

    private void DeleteDirectory(string name)
    {
        string dir = Path.Combine(Root, name);
        if (!Directory.Exists(dir)) return;
        // Out of the way first: a new volume of that name may be created at once.
        string trash = Path.Combine(Root, $".removing-{Guid.NewGuid():N}");
        Directory.Move(dir, trash);
        DeleteTree(trash);
    }

    private static void DeleteTree(string dir) => Directory.Delete(dir, recursive: true);

    private static void TryDeleteTree(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Marks a volume's first mount done (copy-up and chown happen once, as podman's).</summary>
    internal void MarkMounted(string name) => Db.UpdateVolume(name, v => { v.NeedsCopyUp = false; v.NeedsChown = false; });

    internal static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
