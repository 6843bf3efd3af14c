using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.Events;
using Skiff.Engine.Images;
using Skiff.Engine.Inspect;
using Skiff.Engine.Lifecycle;
using Skiff.Engine.Runtime;
using Skiff.Engine.Volumes;
using Skiff.Images.Archives;

namespace Skiff.Engine;

/// <summary>
/// The containers half of the engine seam: what every front end (the CLI now; kube YAML, compose and the REST API
/// later) calls. Inputs are typed (names, <see cref="RunOptions"/>, <see cref="ExecOptions"/>); failures are
/// <see cref="EngineException"/>s with an <see cref="ErrorKind"/>, which each front end maps to its own codes.
/// </summary>
public interface IContainerEngine
{
    /// <summary>create + start; in the foreground also attach, wait and clean up (the container's exit code).</summary>
    Task<ContainerRunner.Result> RunAsync(RunOptions options, CancellationToken cancellationToken);

    Task<ContainerRecord> CreateAsync(RunOptions options, CancellationToken cancellationToken);

    ContainerRecord Start(string nameOrId);

    /// <summary>start -a: starts it with our stdio joined to it, until it exits (its code) or the detach keys.</summary>
    ContainerRunner.Result StartAttached(string nameOrId, bool stdin, string? detachKeys, bool sigProxy);

    ContainerRunner.Result Attach(string nameOrId, bool noStdin, bool sigProxy, string? detachKeys);

    ContainerRecord? Stop(string nameOrId, int? timeout);

    ContainerRecord Restart(string nameOrId, int? timeout);

    ContainerRecord Kill(string nameOrId, int signal);

    /// <summary>Removes it (stopping it first with <paramref name="force"/>; its anonymous volumes too with <paramref name="volumes"/>); returns its id.</summary>
    string Remove(string nameOrId, bool force, int? timeout, bool volumes = false);

    ContainerRecord? Wait(string nameOrId, TimeSpan interval, Func<ContainerRecord, bool>? until);

    /// <summary>Every container, each as it is now (one that has exited since it was last seen is cleaned up first).</summary>
    IReadOnlyList<ContainerRecord> List();

    /// <summary>`ps`: the containers the options select, each refreshed (an exited one cleaned up), filtered and sorted.</summary>
    IReadOnlyList<ContainerListItem> Ps(PsOptions options);

    /// <summary>
    /// `events`: the recorded events the query selects, oldest first; with <see cref="EventQuery.Stream"/> each new
    /// one as it is written (after the past ones when since or until is given), until <paramref name="cancellationToken"/> or until.
    /// </summary>
    IEnumerable<EngineEvent> Events(EventQuery query, CancellationToken cancellationToken);

    ContainerRecord Find(string nameOrId);

    bool Exists(string nameOrId);

    /// <summary>The monitor's exit hook: unmount, delete from the runtime, restart policy, --rm. Idempotent.</summary>
    void Cleanup(string nameOrId);

    int Exec(string nameOrId, ExecOptions options);

    /// <summary>Each container's log records in order (see <see cref="LogQuery"/>), passed to <paramref name="write"/>.</summary>
    void Logs(IReadOnlyList<string> namesOrIds, LogQuery query, Action<ContainerRecord, KubeLogRecord> write);

    /// <summary>`inspect`: the container as podman reports it; with <paramref name="size"/>, its layer's sizes too.</summary>
    InspectContainerData Inspect(string nameOrId, bool size);

    /// <summary>The container created last (podman's --latest).</summary>
    ContainerRecord Latest();

    /// <summary>`container init`: the runtime's create, the process not started (state initialized).</summary>
    ContainerRecord Init(string nameOrId);

    /// <summary>`container prune`: removes every container that is not running and matches the filters (podman's label=, label!=, until=).</summary>
    IReadOnlyList<PruneReport> Prune(IReadOnlyList<string> filters);
}

/// <summary>One container `prune` removed (its id), or failed to remove (the reason).</summary>
public sealed record PruneReport(string Id, string? Error);

/// <summary>The images half of the engine seam.</summary>
public interface IImageEngine
{
    Task<ImageSummary> PullAsync(string reference, bool? tlsVerify, bool quiet, CancellationToken cancellationToken);

    /// <summary>`pull` with podman's --retry and --retry-delay (see <see cref="PullSettings"/>).</summary>
    Task<ImageSummary> PullAsync(string reference, bool? tlsVerify, bool quiet, PullSettings settings, CancellationToken cancellationToken);

    IReadOnlyList<ImageSummary> ListImages();

    /// <summary>podman's rmi: one report per input, as each is done (in-use images' containers go first with force).</summary>
    IEnumerable<ImageRemoval> RemoveImages(IEnumerable<string> references, bool force);

    /// <summary>`image inspect`: the image as podman reports it (by name, short name, id or id prefix).</summary>
    InspectImageData InspectImage(string nameOrId);

    /// <summary>`tag`: adds the targets (normalised as podman does) to the image's names, in order.</summary>
    void TagImage(string nameOrId, IReadOnlyList<string> targets);

    /// <summary>`untag`: takes the names (all of them when none are given) off the image; it stays.</summary>
    void UntagImage(string nameOrId, IReadOnlyList<string> names);

    /// <summary>`image exists`: whether a local image answers to the name or id.</summary>
    bool ImageExists(string nameOrId);

    /// <summary>`history`: the image's history entries, newest first, as podman lists them.</summary>
    IReadOnlyList<ImageHistoryEntry> ImageHistory(string nameOrId);

    /// <summary>`image prune`: removes the images no container uses, only the nameless ones unless <paramref name="all"/>; their ids.</summary>
    IReadOnlyList<string> PruneImages(bool all);

    /// <summary>`save`: the images into an archive (or directory) at <paramref name="output"/>, or onto <paramref name="stdout"/>.</summary>
    void SaveImages(IReadOnlyList<string> namesOrIds, ArchiveFormat format, bool multiImage, string? output, Stream stdout, bool quiet);

    /// <summary>`load`: a docker-archive or oci-archive from <paramref name="input"/> or <paramref name="stdin"/>; podman's "Loaded image:" lines.</summary>
    Task<IReadOnlyList<string>> LoadImagesAsync(string? input, Stream stdin, bool quiet, CancellationToken cancellationToken);
}

/// <summary>The volumes half of the engine seam (the local driver; Volumes/).</summary>
public interface IVolumeEngine
{
    VolumeRecord CreateVolume(VolumeCreateOptions options);

    /// <summary>The volumes <paramref name="filter"/> keeps, by name (podman's order).</summary>
    IReadOnlyList<VolumeRecord> ListVolumes(VolumeFilter filter);

    VolumeRecord InspectVolume(string name);

    bool VolumeExists(string name);

    /// <summary>Removes an unused volume; with <paramref name="force"/> the containers using it go first (as podman's volume rm -f).</summary>
    void RemoveVolume(string name, bool force, int? timeout);

    /// <summary>Removes the unused volumes <paramref name="filter"/> keeps; their names.</summary>
    IReadOnlyList<string> PruneVolumes(VolumeFilter filter);
}

/// <summary>`logs`: which records to give (a time window, the last N lines) and whether to follow until the container exits.</summary>
public sealed record LogQuery(DateTimeOffset? Since = null, DateTimeOffset? Until = null, int Tail = -1, bool Follow = false);

/// <summary>What `info` reports about the host and the store.</summary>
public sealed record EngineInfo(
    string Kernel, string Hostname, bool Rootless, string CgroupVersion, string CgroupManager, string OciRuntime, int Cpus,
    string GraphRoot, string RunRoot, int ImageCount);

/// <summary>The engine on this machine for one store (<see cref="SkiffPaths"/>): both halves of the seam, and `info`.</summary>
public sealed class SkiffEngine(SkiffPaths paths) : IContainerEngine, IImageEngine, IVolumeEngine
{
    private readonly ImageService _images = new(paths);
    private ContainerLifecycle? _lifecycle;
    private readonly VolumeService _volumes = new(paths);

    public SkiffPaths Paths => paths;

    /// <summary>The lifecycle stages, for engine parts built on them (and verbs not yet moved behind the seam).</summary>
    public ContainerLifecycle Lifecycle => _lifecycle ??= new ContainerLifecycle(paths, _images);

    public ImageService Images => _images;

    public Task<ContainerRunner.Result> RunAsync(RunOptions options, CancellationToken cancellationToken)
        => new ContainerRunner(paths, _images).RunAsync(options, cancellationToken);

    public Task<ContainerRecord> CreateAsync(RunOptions options, CancellationToken cancellationToken)
        => new ContainerCreator(paths, _images).CreateAsync(options, cancellationToken);

    public ContainerRecord Start(string nameOrId) => Lifecycle.Start(nameOrId);

    public ContainerRunner.Result StartAttached(string nameOrId, bool stdin, string? detachKeys, bool sigProxy)
    {
        var keys = DetachKeys.Parse(detachKeys);
        AttachSession? session = null;
        var record = Lifecycle.Start(nameOrId, files => session = AttachSession.Connect(files.AttachSocket));
        using (session)
        {
            if (session is null) throw new EngineException($"container {record.Name} is already running: use `skiff attach`");
            // stdin goes to the container when it was created with -i and start asks for it (podman: -a -i).
            return ContainerRunner.Follow(Lifecycle, record, session, stdin && record.Stdin ? keys : null, record.Terminal, sigProxy && !record.Terminal);
        }
    }

    public ContainerRunner.Result Attach(string nameOrId, bool noStdin, bool sigProxy, string? detachKeys)
        => ContainerRunner.Attach(Lifecycle, nameOrId, noStdin, sigProxy, detachKeys);

    public ContainerRecord? Stop(string nameOrId, int? timeout) => Lifecycle.Stop(nameOrId, timeout);

    public ContainerRecord Restart(string nameOrId, int? timeout)
    {
        var stopped = Lifecycle.Stop(nameOrId, timeout);
        if (stopped is not null) Lifecycle.Events.Container(stopped, "restart");
        return Lifecycle.Start(nameOrId);
    }

    public ContainerRecord Kill(string nameOrId, int signal) => Lifecycle.Kill(nameOrId, signal);

    public string Remove(string nameOrId, bool force, int? timeout, bool volumes = false) => Lifecycle.Remove(nameOrId, force, timeout, volumes);

    public ContainerRecord? Wait(string nameOrId, TimeSpan interval, Func<ContainerRecord, bool>? until) => Lifecycle.Wait(nameOrId, interval, until);

    public IReadOnlyList<ContainerRecord> List() => [.. Lifecycle.Store.All().Select(Lifecycle.Refresh).OfType<ContainerRecord>()];

    public IReadOnlyList<ContainerListItem> Ps(PsOptions options)
    {
        Dictionary<string, long>? sizes = null;
        return ContainerListing.List(Lifecycle, options,
            imageId => (sizes ??= _images.List().ToDictionary(i => i.Id, i => i.Size)).TryGetValue(imageId, out long n) ? n : null,
            DateTimeOffset.UtcNow);
    }

    public IEnumerable<EngineEvent> Events(EventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var log = EventLog.For(paths);
        if (!query.Stream) return log.ReadAll().Where(query.Matches);
        return Stream(log, query, cancellationToken);
    }

    private static IEnumerable<EngineEvent> Stream(EventLog log, EventQuery query, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (query.Until is { } until)
        {
            var left = until - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero) stop.Cancel();
            else stop.CancelAfter(left);
        }
        // As podman's: a stream with neither since nor until starts at the end of the log; with one of them it
        // starts at the beginning, and the past events are given even when until has already passed.
        foreach (var e in log.Follow(stop.Token, fromStart: query.Since is not null || query.Until is not null))
            if (query.Matches(e)) yield return e;
    }

    public ContainerRecord Find(string nameOrId) => Lifecycle.Store.Find(nameOrId);

    public bool Exists(string nameOrId)
    {
        try
        {
            Find(nameOrId);
            return true;
        }
        catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject)
        {
            return false;
        }
    }

    public void Cleanup(string nameOrId) => Lifecycle.Cleanup(Find(nameOrId).Id);

    public int Exec(string nameOrId, ExecOptions options) => new ContainerExec(paths, _images).Exec(nameOrId, options);

    public void Logs(IReadOnlyList<string> namesOrIds, LogQuery query, Action<ContainerRecord, KubeLogRecord> write)
    {
        ArgumentNullException.ThrowIfNull(namesOrIds);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(write);
        var records = namesOrIds.Select(Find).ToList();
        foreach (var record in records)
            if (record.LogDriver == "none") throw new EngineException($"container {record.Name} has the log driver none: there are no logs to read");
        foreach (var record in records)
        {
            string log = new ContainerFiles(paths, record.Id).LogPath;
            long offset = 0;
            var first = KubeLog.ReadFrom(log, ref offset).Where(r => (query.Since is null || r.Time >= query.Since) && (query.Until is null || r.Time <= query.Until)).ToList();
            if (query.Tail >= 0) first = KubeLog.TailLines(first, query.Tail);
            foreach (var r in first) write(record, r);
            if (!query.Follow) continue;
            while (true)
            {
                var current = Lifecycle.Store.Get(record.Id) is { } now ? Lifecycle.Refresh(now) : null;
                bool running = current?.State == ContainerStates.Running;
                foreach (var r in KubeLog.ReadFrom(log, ref offset).Where(r => query.Until is null || r.Time <= query.Until)) write(record, r);
                if (!running) break;
                Thread.Sleep(100);
            }
        }
    }

    public VolumeRecord CreateVolume(VolumeCreateOptions options) => _volumes.Create(options);

    public IReadOnlyList<VolumeRecord> ListVolumes(VolumeFilter filter)
        => [.. _volumes.List().Where(v => filter.Matches(v, _volumes.Users(v.Name).Count > 0)).OrderBy(v => v.Name, StringComparer.Ordinal)];

    public VolumeRecord InspectVolume(string name) => _volumes.Get(name);

    public bool VolumeExists(string name) => _volumes.Exists(name);

    public void RemoveVolume(string name, bool force, int? timeout)
    {
        if (force)
            foreach (string id in _volumes.Users(name)) Lifecycle.Remove(id, force: true, timeout);
        _volumes.Remove(name);
    }

    public IReadOnlyList<string> PruneVolumes(VolumeFilter filter) => _volumes.Prune(filter);

    public InspectContainerData Inspect(string nameOrId, bool size)
    {
        var record = Find(nameOrId);
        record = Lifecycle.Refresh(record) ?? throw EngineException.NoSuchContainer(nameOrId);
        return new ContainerInspector(paths, _images).Inspect(record, size);
    }

    public ContainerRecord Latest()
        => Lifecycle.Store.All().OrderByDescending(c => c.Created).FirstOrDefault() is { } latest
            ? Lifecycle.Refresh(latest) ?? throw EngineException.NoSuchContainer(latest.Id)
            : throw new EngineException("no containers to act on: no such container", ErrorKind.NoSuchObject);

    public ContainerRecord Init(string nameOrId) => Lifecycle.Init(nameOrId);

    public IReadOnlyList<PruneReport> Prune(IReadOnlyList<string> filters)
    {
        var filter = ContainerPruneFilter.Parse(filters, DateTimeOffset.UtcNow);
        var reports = new List<PruneReport>();
        foreach (var record in List().Where(c => c.State != ContainerStates.Running && filter.Matches(c)).OrderBy(c => c.Created))
        {
            try
            {
                reports.Add(new PruneReport(Lifecycle.Remove(record.Id, force: false, timeout: null), null));
            }
            catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject)
            {
                // removed meanwhile (an --rm container, another prune)
            }
            catch (EngineException e)
            {
                reports.Add(new PruneReport(record.Id, e.Message));
            }
        }
        return reports;
    }

    public InspectImageData InspectImage(string nameOrId)
        => new ImageInspector(_images).Inspect(_images.FindLocal(nameOrId)
            ?? throw new EngineException($"{nameOrId}: image not known", ErrorKind.NoSuchObject));

    public void TagImage(string nameOrId, IReadOnlyList<string> targets) => _images.Tag(nameOrId, targets);

    public void UntagImage(string nameOrId, IReadOnlyList<string> names) => _images.Untag(nameOrId, names);

    public bool ImageExists(string nameOrId) => _images.Exists(nameOrId);

    public IReadOnlyList<ImageHistoryEntry> ImageHistory(string nameOrId) => _images.History(nameOrId);

    public IReadOnlyList<string> PruneImages(bool all) => _images.Prune(all);

    public void SaveImages(IReadOnlyList<string> namesOrIds, ArchiveFormat format, bool multiImage, string? output, Stream stdout, bool quiet)
        => _images.Save(namesOrIds, format, multiImage, output, stdout, quiet);

    public Task<IReadOnlyList<string>> LoadImagesAsync(string? input, Stream stdin, bool quiet, CancellationToken cancellationToken)
        => _images.LoadAsync(input, stdin, quiet, cancellationToken);

    public Task<ImageSummary> PullAsync(string reference, bool? tlsVerify, bool quiet, CancellationToken cancellationToken)
        => _images.PullAsync(reference, tlsVerify, quiet, cancellationToken);

    public Task<ImageSummary> PullAsync(string reference, bool? tlsVerify, bool quiet, PullSettings settings, CancellationToken cancellationToken)
        => _images.PullAsync(reference, tlsVerify, quiet, settings, cancellationToken);

    public IReadOnlyList<ImageSummary> ListImages() => _images.List();

    public IEnumerable<ImageRemoval> RemoveImages(IEnumerable<string> references, bool force) => _images.Remove(references, force);

    /// <summary>`info`: the host's kernel, cgroups (v2 only when /sys/fs/cgroup is cgroup2 alone; hybrid hosts report v1, as podman does), runtime and store.</summary>
    public EngineInfo Info(string? runtime)
    {
        string runtimePath;
        try { runtimePath = OciRuntime.Locate(runtime, paths.RunRoot).Path; }
        catch (EngineException) { runtimePath = "(not found)"; }
        return new EngineInfo(
            Kernel: File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "",
            Hostname: Environment.MachineName,
            Rootless: paths.Rootless,
            CgroupVersion: File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "v2" : "v1",
            CgroupManager: "cgroupfs",
            OciRuntime: runtimePath,
            Cpus: Environment.ProcessorCount,
            GraphRoot: paths.GraphRoot,
            RunRoot: paths.RunRoot,
            ImageCount: _images.Count());
    }
}
