using Skiff.Engine.Lifecycle;

namespace Skiff.Engine.Containers;

/// <summary>`ps`: which containers, in which order, with which extra facts (podman's ContainerListOptions).</summary>
public sealed record PsOptions
{
    /// <summary>-a: every container, not only the running ones.</summary>
    public bool All { get; init; }
    /// <summary>-n: the N containers created last, in any state (below 1: not asked).</summary>
    public int Last { get; init; } = -1;
    /// <summary>-l: the container created last, in any state.</summary>
    public bool Latest { get; init; }
    /// <summary>--filter values, "key=value".</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];
    /// <summary>--sort: command, created (the default), id, image, names, runningfor, size, status.</summary>
    public string? Sort { get; init; }
    /// <summary>-s: each container's writable layer size and its image's.</summary>
    public bool Size { get; init; }
    /// <summary>--ns: each running container's namespaces.</summary>
    public bool Namespaces { get; init; }
    /// <summary>--external: containers in storage that the engine did not create (Skiff's storage has none).</summary>
    public bool External { get; init; }

    public static readonly IReadOnlyList<string> SortKeys = ["command", "created", "id", "image", "names", "runningfor", "size", "status"];
}

/// <summary>The namespaces of a running container, as the inode numbers of /proc/PID/ns/* (podman's --ns columns).</summary>
public sealed record ContainerNamespaces(string Cgroup, string Ipc, string Mnt, string Net, string Pid, string User, string Uts);

/// <summary>
/// One row of `ps`: the record as it is now and podman's state word for it (created, running, exited, configured);
/// with -s the sizes, with --ns the namespaces. Mounts and networks are the user's volumes and networks (none yet).
/// </summary>
public sealed record ContainerListItem(
    ContainerRecord Container, string State, long? RwSize = null, long? RootFsSize = null, ContainerNamespaces? Namespaces = null)
{
    public IReadOnlyList<string> Mounts { get; init; } = [];
    public IReadOnlyList<string> Networks { get; init; } = [];

    public bool Exited => State == "exited";
}

/// <summary>The listing itself: liveness (each running record refreshed, an exited one cleaned up), filters, -n/-l, sort, sizes.</summary>
public static class ContainerListing
{
    /// <exception cref="EngineException">Conflicting options, a bad filter or sort key.</exception>
    public static IReadOnlyList<ContainerListItem> List(
        ContainerLifecycle lifecycle, PsOptions options, Func<string, long?> imageSize, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(imageSize);
        if (options.Last >= 0 && options.Latest) throw new EngineException("last and latest are mutually exclusive");
        if (options.Size && options.Namespaces) throw new EngineException("size and namespace options conflict");
        if (options.Sort is { } sort && !PsOptions.SortKeys.Contains(sort))
            throw new EngineException($"invalid argument \"{sort}\" for \"--sort\" flag: \"{sort}\" is not a valid value.  Choose from: \"{string.Join(", ", PsOptions.SortKeys)}\"");
        var records = lifecycle.Store.All().ToList();
        var filter = ContainerFilter.Parse(options.Filters, nameOrId => Find(records, nameOrId).Created, now);
        int last = options.Latest ? 1 : options.Last;
        // As podman's: -n and status= look at every container; otherwise only the running ones unless -a.
        bool all = options.All || last > 0 || filter.Values.ContainsKey("status");
        var items = new List<ContainerListItem>();
        foreach (var stored in records)
        {
            var c = lifecycle.Refresh(stored);
            if (c is null) continue;
            string state = StateOf(c);
            if (!all && state != "running") continue;
            if (!filter.Matches(c, state)) continue;
            items.Add(new ContainerListItem(c, state));
        }
        if (last > 0) items = [.. items.OrderByDescending(i => i.Container.Created).Take(last)];
        if (options.Size)
            items = [.. items.Select(i => i with { RwSize = WritableSize(lifecycle, i.Container), RootFsSize = imageSize(i.Container.ImageId) ?? 0 })];
        if (options.Namespaces)
            items = [.. items.Select(i => i with { Namespaces = i.State == "running" ? NamespacesOf(i.Container.Pid) : null })];
        return Sort(items, options.Sort ?? "created");
    }

    /// <summary>podman's state word: a stopped (not yet cleaned up) container is exited; configured stays configured.</summary>
    public static string StateOf(ContainerRecord c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.State switch
        {
            ContainerStates.Stopped => "exited",
            _ => c.State,
        };
    }

    /// <summary>podman's --sort orders (stable: equal keys keep their creation order).</summary>
    public static IReadOnlyList<ContainerListItem> Sort(IEnumerable<ContainerListItem> items, string key)
    {
        var byCreation = items.OrderBy(i => i.Container.Created).ThenBy(i => i.Container.Id, StringComparer.Ordinal);
        return key switch
        {
            "command" => [.. byCreation.OrderBy(i => string.Join(' ', i.Container.Command), StringComparer.Ordinal)],
            "id" => [.. byCreation.OrderBy(i => i.Container.Id, StringComparer.Ordinal)],
            "image" => [.. byCreation.OrderBy(i => i.Container.ImageName, StringComparer.Ordinal)],
            "names" => [.. byCreation.OrderBy(i => i.Container.Name, StringComparer.Ordinal)],
            "runningfor" => [.. byCreation.OrderBy(i => i.Container.StartedAt ?? DateTimeOffset.MinValue)],
            "size" => [.. byCreation.OrderBy(i => (i.RwSize ?? 0) + (i.RootFsSize ?? 0))],
            "status" => [.. byCreation.OrderBy(i => i.State, StringComparer.Ordinal)],
            _ => [.. byCreation],
        };
    }

    private static ContainerRecord Find(IReadOnlyList<ContainerRecord> records, string nameOrId)
        => records.FirstOrDefault(r => r.Id == nameOrId || r.Name == nameOrId)
            ?? (nameOrId.Length >= 3 && records.Where(r => r.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList() is [var only] ? only : null)
            ?? throw new EngineException($"no container with name or ID \"{nameOrId}\" found: no such container", ErrorKind.NoSuchObject);

    /// <summary>The bytes in the container's writable layer (files as they take space: apparent sizes, as podman's).</summary>
    private static long WritableSize(ContainerLifecycle lifecycle, ContainerRecord c)
    {
        string upper = new ContainerFiles(lifecycle.Paths, c.Id).Layer.Upper;
        if (!Directory.Exists(upper)) return 0;
        long total = 0;
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
            foreach (var f in new DirectoryInfo(upper).EnumerateFileSystemInfos("*", options))
                if (f is FileInfo file && !file.Attributes.HasFlag(FileAttributes.ReparsePoint)) total += file.Length;
                else if (f.Attributes.HasFlag(FileAttributes.ReparsePoint)) total += f.LinkTarget?.Length ?? 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return total;
    }

    private static ContainerNamespaces? NamespacesOf(int? pid)
    {
        if (pid is null) return null;
        string Ns(string name)
        {
            try
            {
                string target = new FileInfo($"/proc/{pid}/ns/{name}").LinkTarget ?? "";
                int open = target.IndexOf('[', StringComparison.Ordinal);
                return open >= 0 ? target[(open + 1)..].TrimEnd(']') : "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
        }
        return new ContainerNamespaces(Ns("cgroup"), Ns("ipc"), Ns("mnt"), Ns("net"), Ns("pid"), Ns("user"), Ns("uts"));
    }
}
