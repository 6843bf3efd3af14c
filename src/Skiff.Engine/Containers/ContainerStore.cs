using Skiff.Engine.Configuration;
using Skiff.Storage;
using Skiff.Engine.State;

namespace Skiff.Engine.Containers;

/// <summary>
/// The engine's container records: the SQLite state database (GRAPHROOT/db.sql, State/ContainerDatabase.cs), opened
/// at first use. Records an older Skiff kept as JSON files under GRAPHROOT/containers-db are imported once.
/// </summary>
public sealed class ContainerStore(SkiffPaths paths)
{
    private ContainerDatabase? _db;

    private ContainerDatabase Db => _db ??= Open();

    private ContainerDatabase Open()
    {
        var db = new ContainerDatabase(ContainerDatabase.DefaultPath(paths));
        string legacy = Path.Combine(paths.GraphRoot, "containers-db");
        if (Directory.Exists(legacy))
        {
            db.ImportJsonStore(legacy);
            try { Directory.Move(legacy, legacy + ".imported"); }
            catch (IOException) { /* imported by a concurrent command (INSERT OR IGNORE): it moved it */ }
        }
        return db;
    }

    /// <summary>Records a new container and returns its name (given, or generated like podman's).</summary>
    public string Reserve(string id, string? name, ImageRecord image, IReadOnlyList<string> command, Action<ContainerRecord>? configure = null)
        => Db.Reserve(id, name, image, command, configure);

    /// <summary>Changes one record in a transaction; null when the container is gone.</summary>
    public ContainerRecord? Update(string id, Action<ContainerRecord> change) => Db.Update(id, change);

    /// <summary>The record of the container with exactly this id, or null.</summary>
    public ContainerRecord? Get(string id) => Db.Get(id);

    /// <summary>By full id, unambiguous id prefix or name, as podman resolves containers.</summary>
    public ContainerRecord Find(string nameOrId) => Db.Find(nameOrId);

    public void Remove(string id) => Db.Remove(id);

    /// <summary>Containers that use the image (rmi refuses to remove it, as podman does).</summary>
    public IEnumerable<ContainerRecord> UsingImage(string imageId) => Db.UsingImage(imageId);

    public IEnumerable<ContainerRecord> All() => Db.All();
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
