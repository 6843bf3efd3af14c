using System.Text.Json;
using Skiff.Engine.Configuration;
using Skiff.Storage;
using Skiff.Storage.Locking;

namespace Skiff.Engine.Containers;

/// <summary>
/// Container records, one JSON file each under GRAPHROOT/containers-db, changed under one file lock so that
/// two `skiff run --name X` cannot both take the same name.
/// </summary>
public sealed class ContainerStore(SkiffPaths paths)
{
    private string Dir => Path.Combine(paths.GraphRoot, "containers-db");
    private string LockPath => Path.Combine(paths.GraphRoot, "containers.lock");

    /// <summary>Records a new container and returns its name (given, or generated like podman's).</summary>
    public string Reserve(string id, string? name, ImageRecord image, IReadOnlyList<string> command, Action<ContainerRecord>? configure = null)
    {
        if (name is not null && !NameGenerator.IsValid(name))
            throw new EngineException($"container name \"{name}\" is not valid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
        Directory.CreateDirectory(Dir);
        using var l = FileLock.Acquire(LockPath, exclusive: true);
        var taken = All().Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        if (name is not null && taken.Contains(name))
            throw new EngineException($"creating container storage: the container name \"{name}\" is already in use. You have to remove that container to be able to reuse that name: that name is already in use");
        name ??= NameGenerator.Generate(taken);
        var record = new ContainerRecord
        {
            Id = id,
            Name = name,
            ImageId = image.Id,
            ImageName = image.Names.FirstOrDefault() ?? image.Id,
            Command = [.. command],
            Created = DateTimeOffset.UtcNow,
        };
        configure?.Invoke(record);
        Write(record);
        return name;
    }

    /// <summary>Changes one record under the store's lock; null when the container is gone.</summary>
    public ContainerRecord? Update(string id, Action<ContainerRecord> change)
    {
        using var l = FileLock.Acquire(LockPath, exclusive: true);
        var rec = Read(Path.Combine(Dir, id + ".json"));
        if (rec is null) return null;
        change(rec);
        Write(rec);
        return rec;
    }

    /// <summary>The record of the container with exactly this id, or null.</summary>
    public ContainerRecord? Get(string id) => Read(Path.Combine(Dir, id + ".json"));

    /// <summary>By full id, unambiguous id prefix or name, as podman resolves containers.</summary>
    public ContainerRecord Find(string nameOrId)
    {
        var all = All().ToList();
        if (all.FirstOrDefault(c => c.Id == nameOrId || c.Name == nameOrId) is { } exact) return exact;
        var byPrefix = nameOrId.Length >= 3 ? all.Where(c => c.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList() : [];
        return byPrefix.Count switch
        {
            1 => byPrefix[0],
            0 => throw new EngineException($"no container with name or ID \"{nameOrId}\" found: no such container", 1),
            _ => throw new EngineException($"more than one result for container ID prefix \"{nameOrId}\"", 125),
        };
    }

    public void Remove(string id)
    {
        using var l = FileLock.Acquire(LockPath, exclusive: true);
        File.Delete(Path.Combine(Dir, id + ".json"));
    }

    /// <summary>Containers that use the image (rmi refuses to remove it, as podman does).</summary>
    public IEnumerable<ContainerRecord> UsingImage(string imageId) => All().Where(c => c.ImageId == imageId);

    public IEnumerable<ContainerRecord> All()
    {
        if (!Directory.Exists(Dir)) yield break;
        foreach (string f in Directory.EnumerateFiles(Dir, "*.json"))
            if (Read(f) is { } r) yield return r;
    }

    private void Write(ContainerRecord rec)
        => AtomicFile.WriteAllBytes(Path.Combine(Dir, rec.Id + ".json"), JsonSerializer.SerializeToUtf8Bytes(rec, EngineJsonContext.Default.ContainerRecord));

    private static ContainerRecord? Read(string file)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(file), EngineJsonContext.Default.ContainerRecord); }
        catch (Exception e) when (e is IOException or JsonException) { return null; }
    }
}

/// <summary>Names like podman's "adjective_surname".</summary>
public static class NameGenerator
{
    private static readonly string[] Adjectives =
    [
        "admiring", "brave", "calm", "clever", "eager", "elegant", "focused", "gallant", "happy", "hopeful",
        "jolly", "keen", "kind", "lucid", "modest", "nifty", "peaceful", "quirky", "serene", "stoic", "tender", "vibrant", "wizardly", "zealous",
    ];

    private static readonly string[] Surnames =
    [
        "allen", "babbage", "curie", "darwin", "euler", "feynman", "goldberg", "hopper", "hypatia", "kepler",
        "lamport", "lovelace", "meitner", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wozniak",
    ];

    public static string Generate(IReadOnlySet<string> taken)
    {
        for (int i = 0; ; i++)
        {
            string n = $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}_{Surnames[Random.Shared.Next(Surnames.Length)]}";
            if (i > 100) n += Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!taken.Contains(n)) return n;
        }
    }

    public static bool IsValid(string name)
        => name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
