using System.Text.Json;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.State;

/// <summary>
/// ROOT/ID/ holds state.json (written to a temporary name and renamed) and, until `start`,
/// exec.fifo. Changes happen under an exclusive flock of the container's directory.
/// </summary>
public sealed class StateStore(string root)
{
    public const string FifoName = "exec.fifo";

    public string Root { get; } = root;

    /// <summary>
    /// ROOT/.empty: an empty directory of the store's, the second lower layer of the read-only overlayfs the
    /// init's binary is executed through (see <see cref="Skiff.Interop.Launch.SealedExecutable"/>).
    /// </summary>
    public string EmptyDirectory => Path.Combine(Root, ".empty");

    public string DirOf(string id) => Path.Combine(Root, ValidateId(id));

    public static string ValidateId(string id)
    {
        bool ok = id.Length is > 0 and <= 1024 && id[0] != '.' &&
            id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+');
        return ok ? id : throw new RuntimeException($"invalid container id: {id}");
    }

    /// <summary>Creates ROOT/ID; fails if the container exists.</summary>
    public string CreateDir(string id)
    {
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string dir = DirOf(id);
        try { Directory.CreateDirectory(Path.GetDirectoryName(dir)!); }
        catch (IOException e) { throw new RuntimeException($"state directory {Root}: {e.Message}"); }
        if (Directory.Exists(dir)) throw new RuntimeException($"container with id exists: {id}");
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return dir;
    }

    /// <summary>An exclusive lock on the container, held until disposed.</summary>
    public SafeFd Lock(string id)
    {
        string dir = DirOf(id);
        int fd = Libc.Open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd < 0) throw new RuntimeException($"container {id} does not exist");
        var handle = new SafeFd(fd);
        Libc.Check(Libc.Flock(fd, Libc.LOCK_EX), $"lock of container {id}");
        return handle;
    }

    public void Save(ContainerRecord record)
    {
        string dir = DirOf(record.Id);
        string temp = Path.Combine(dir, ".state.json.tmp");
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(record, StateJsonContext.Default.ContainerRecord));
        File.Move(temp, Path.Combine(dir, "state.json"), overwrite: true);
    }

    public ContainerRecord Load(string id)
    {
        string file = Path.Combine(DirOf(id), "state.json");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(file); }
        catch (FileNotFoundException) { throw new RuntimeException($"container {id} does not exist"); }
        catch (DirectoryNotFoundException) { throw new RuntimeException($"container {id} does not exist"); }
        return JsonSerializer.Deserialize(bytes, StateJsonContext.Default.ContainerRecord)
            ?? throw new RuntimeException($"container {id}: empty state file");
    }

    public bool Exists(string id) => File.Exists(Path.Combine(DirOf(id), "state.json"));

    /// <summary>Whether the recorded init is still our live process (not gone, not a zombie, not a recycled pid).</summary>
    public static bool IsAlive(ContainerRecord record) =>
        ProcStat.Read(record.Pid) is { } s && s.State != 'Z' && s.StartTime == record.PidStartTime;

    /// <summary>created (init waits on exec.fifo), running, paused (its cgroup frozen), or stopped.</summary>
    public string StatusOf(ContainerRecord record)
    {
        if (!IsAlive(record)) return "stopped";
        if (Lifecycle.ContainerCgroups.IsPaused(record)) return "paused"; // [cgroups]
        return File.Exists(Path.Combine(DirOf(record.Id), FifoName)) ? "created" : "running";
    }

    public Oci.Runtime.State ToOciState(ContainerRecord record)
    {
        string status = StatusOf(record);
        return new Oci.Runtime.State
        {
            Id = record.Id,
            Status = status,
            Pid = status == "stopped" ? 0 : record.Pid,
            Bundle = record.Bundle,
            Annotations = record.Annotations,
            Created = record.Created, // verbs: `state` and `list` show when the container was created
            OomKilled = Lifecycle.ContainerCgroups.OomKilled(record), // [cgroups]
        };
    }

    public void Remove(string id)
    {
        string dir = DirOf(id);
        // [cgroups] begin: the container's cgroup goes with it (run, delete, failed create)
        if (File.Exists(Path.Combine(dir, "state.json"))) Lifecycle.ContainerCgroups.Destroy(Load(id));
        // [cgroups] end
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
