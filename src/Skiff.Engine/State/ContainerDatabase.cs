using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Storage;

namespace Skiff.Engine.State;

/// <summary>
/// Container records in one SQLite database (WAL), as podman 5 keeps its state: the drop-in successor of
/// <see cref="ContainerStore"/>. Each row holds the whole <see cref="ContainerRecord"/> as JSON, beside the
/// columns that are looked up (id, name, image, state, creation time), written from the same record on every
/// change. Every change is one transaction, so a `skiff` killed at any point leaves the database whole, and
/// writers take the write lock at BEGIN (IMMEDIATE): concurrent `skiff` processes wait (up to
/// <see cref="BusyTimeoutSeconds"/>) instead of failing.
/// </summary>
/// <remarks>
/// One connection per instance, opened at first use; an instance may be shared between threads (calls are
/// serialised), but each process or thread that wants to run at the same time as another opens its own.
/// </remarks>
public sealed partial class ContainerDatabase : IDisposable
{
    /// <summary>How long a command waits for another process's write before it fails (podman waits 100 s).</summary>
    public const int BusyTimeoutSeconds = 10;

    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    /// <summary>
    /// The schema, one step per version: the database's PRAGMA user_version is the number of steps it has had.
    /// Steps are only ever appended (a released step never changes), each runs in the transaction that sets the version.
    /// </summary>
    internal static readonly string[] Migrations =
    [
        // 1: the containers
        """
        CREATE TABLE containers (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT UNIQUE NOT NULL,
            image_id TEXT,
            state TEXT,
            created TEXT,
            json TEXT NOT NULL
        );
        """,
        // 2: `rmi` asks which containers use an image
        "CREATE INDEX containers_image_id ON containers (image_id);",
        // 3: named and anonymous volumes (Volumes/VolumeDatabase.cs)
        "CREATE TABLE volumes (name TEXT PRIMARY KEY NOT NULL, created TEXT, json TEXT NOT NULL);",
    ];

    public static int SchemaVersion => Migrations.Length;

    private const string Columns = "id, name, image_id, state, created, json";
    private const string Order = " ORDER BY created, id";

    private readonly Lock _gate = new();
    private readonly string _connectionString;
    private SqliteConnection? _connection;
    private bool _disposed;

    /// <summary>A database at <paramref name="path"/>, created (with its directory) when first used.</summary>
    public ContainerDatabase(string path)
    {
        DatabasePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // A pooled connection would stay open after Dispose; a CLI opens once per process anyway.
            Pooling = false,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY itself until a command's timeout: the same bound as busy_timeout.
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    /// <summary>Where the engine keeps it: GRAPHROOT/db.sql (podman's file name).</summary>
    public static string DefaultPath(SkiffPaths paths) => Path.Combine(paths.GraphRoot, "db.sql");

    public string DatabasePath { get; }

    /// <summary>
    /// Records a new container and returns its name (given, or generated like podman's). <paramref name="configure"/>
    /// fills in the rest of the record before it is written (its name is set afterwards).
    /// </summary>
    public string Reserve(string id, string? name, ImageRecord image, IReadOnlyList<string> command, Action<ContainerRecord>? configure = null)
    {
        var record = new ContainerRecord
        {
            Id = id,
            ImageId = image.Id,
            ImageName = image.Names.FirstOrDefault() ?? image.Id,
            Command = [.. command],
            Created = DateTimeOffset.UtcNow,
        };
        configure?.Invoke(record);
        record.Name = name ?? "";
        return Reserve(record);
    }

    /// <summary>
    /// Inserts <paramref name="record"/>; an empty <see cref="ContainerRecord.Name"/> is replaced by a generated
    /// one (set on the record). Returns the name. A taken name or id is an <see cref="EngineException"/>.
    /// </summary>
    public string Reserve(ContainerRecord record)
    {
        bool generate = record.Name.Length == 0;
        if (!generate && !NameGenerator.IsValid(record.Name))
            throw new EngineException($"container name \"{record.Name}\" is not valid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
        lock (_gate)
        {
            var c = Connection;
            using var tx = c.BeginTransaction(deferred: false);
            HashSet<string>? taken = null;
            for (int attempt = 0; ; attempt++)
            {
                if (generate) record.Name = NameGenerator.Generate(taken ?? []);
                try
                {
                    using var insert = Command(c, tx, $"INSERT INTO containers ({Columns}) VALUES ($id, $name, $image_id, $state, $created, $json)");
                    Bind(insert, record);
                    insert.ExecuteNonQuery();
                    break;
                }
                catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique && generate && attempt < 3)
                {
                    // Only the name is UNIQUE (the id is the primary key). The write lock is held since BEGIN
                    // IMMEDIATE: with every name in hand, the next pick cannot collide.
                    taken ??= Names(c, tx);
                    taken.Add(record.Name);
                }
                catch (SqliteException e) when (IsConstraint(e))
                {
                    throw InUse(e, record);
                }
            }
            tx.Commit();
            return record.Name;
        }
    }

    /// <summary>
    /// Reads, changes and writes back one record in one write transaction (no other process changes it in
    /// between) and returns it; null when there is no such container. The change may rename the container (a taken
    /// name is an <see cref="EngineException"/> and nothing is written); an exception from it leaves the record as it was.
    /// </summary>
    public ContainerRecord? Update(string id, Action<ContainerRecord> change)
    {
        lock (_gate)
        {
            var c = Connection;
            using var tx = c.BeginTransaction(deferred: false);
            ContainerRecord? rec;
            using (var select = Command(c, tx, "SELECT json FROM containers WHERE id = $id"))
            {
                select.Parameters.AddWithValue("$id", id);
                rec = select.ExecuteScalar() is string json ? Parse(json) : null;
            }
            if (rec is null) return null;
            string name = rec.Name;
            change(rec);
            if (rec.Name != name && !NameGenerator.IsValid(rec.Name))
                throw new EngineException($"container name \"{rec.Name}\" is not valid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
            using (var update = Command(c, tx,
                "UPDATE containers SET id = $id, name = $name, image_id = $image_id, state = $state, created = $created, json = $json WHERE id = $old"))
            {
                Bind(update, rec);
                update.Parameters.AddWithValue("$old", id);
                try { update.ExecuteNonQuery(); }
                catch (SqliteException e) when (IsConstraint(e)) { throw InUse(e, rec); }
            }
            tx.Commit();
            return rec;
        }
    }

    /// <summary>The record of the container with exactly this id, or null.</summary>
    public ContainerRecord? Get(string id)
    {
        lock (_gate)
        {
            using var select = Command(Connection, null, "SELECT json FROM containers WHERE id = $id");
            select.Parameters.AddWithValue("$id", id);
            return select.ExecuteScalar() is string json ? Parse(json) : null;
        }
    }

    /// <summary>By full id or name, then by unambiguous id prefix (3 characters at least), as podman resolves containers.</summary>
    public ContainerRecord Find(string nameOrId)
    {
        lock (_gate)
        {
            var c = Connection;
            using (var exact = Command(c, null, "SELECT json FROM containers WHERE id = $key OR name = $key ORDER BY id = $key DESC LIMIT 1"))
            {
                exact.Parameters.AddWithValue("$key", nameOrId);
                if (exact.ExecuteScalar() is string json && Parse(json) is { } found) return found;
            }
            var byPrefix = new List<ContainerRecord>(2);
            if (nameOrId.Length >= 3)
            {
                // The ids that start with the prefix are the first ones from it on, in the primary key's order.
                using var prefix = Command(c, null, "SELECT id, json FROM containers WHERE id >= $key ORDER BY id LIMIT 2");
                prefix.Parameters.AddWithValue("$key", nameOrId);
                using var r = prefix.ExecuteReader();
                while (r.Read() && r.GetString(0).StartsWith(nameOrId, StringComparison.Ordinal))
                    if (Parse(r.GetString(1)) is { } rec) byPrefix.Add(rec);
            }
            return byPrefix.Count switch
            {
                1 => byPrefix[0],
                0 => throw EngineException.NoSuchContainer(nameOrId),
                _ => throw new EngineException($"more than one result for container ID prefix \"{nameOrId}\""),
            };
        }
    }

    public void Remove(string id)
    {
        lock (_gate)
        {
            using var delete = Command(Connection, null, "DELETE FROM containers WHERE id = $id");
            delete.Parameters.AddWithValue("$id", id);
            delete.ExecuteNonQuery();
        }
    }

    /// <summary>Every container, oldest first. A row whose JSON cannot be read is left out, as ContainerStore leaves out such a file.</summary>
    public IReadOnlyList<ContainerRecord> All()
    {
        lock (_gate)
        {
            using var select = Command(Connection, null, "SELECT json FROM containers" + Order);
            return ReadAll(select);
        }
    }

    /// <summary>Containers that use the image (rmi refuses to remove it, as podman does).</summary>
    public IEnumerable<ContainerRecord> UsingImage(string imageId)
    {
        lock (_gate)
        {
            using var select = Command(Connection, null, "SELECT json FROM containers WHERE image_id = $image_id" + Order);
            select.Parameters.AddWithValue("$image_id", imageId);
            return ReadAll(select);
        }
    }

    /// <summary>
    /// Brings in the records of <see cref="ContainerStore"/> (one JSON file each in <paramref name="directory"/>)
    /// in one transaction; ids and names already here are left alone. Returns how many were added.
    /// </summary>
    public int ImportJsonStore(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        lock (_gate)
        {
            var c = Connection;
            using var tx = c.BeginTransaction(deferred: false);
            int added = 0;
            foreach (string file in Directory.EnumerateFiles(directory, "*.json"))
            {
                ContainerRecord? rec;
                try { rec = Parse(File.ReadAllText(file)); }
                catch (IOException) { continue; }
                if (rec is null || rec.Id.Length == 0 || !NameGenerator.IsValid(rec.Name)) continue;
                using var insert = Command(c, tx, $"INSERT OR IGNORE INTO containers ({Columns}) VALUES ($id, $name, $image_id, $state, $created, $json)");
                Bind(insert, rec);
                added += insert.ExecuteNonQuery();
            }
            tx.Commit();
            return added;
        }
    }

    /// <summary>SQLite's own check of the file: "ok", or what is wrong.</summary>
    public string CheckIntegrity()
    {
        lock (_gate)
        {
            using var check = Command(Connection, null, "PRAGMA integrity_check");
            return string.Join('\n', ReadStrings(check));
        }
    }

    /// <summary>One of this connection's settings (e.g. journal_mode, synchronous, busy_timeout, foreign_keys).</summary>
    internal string? Pragma(string name)
    {
        if (!name.All(ch => char.IsAsciiLetterLower(ch) || ch == '_')) throw new ArgumentException($"not a pragma: {name}", nameof(name));
        lock (_gate)
        {
            using var get = Command(Connection, null, "PRAGMA " + name);
            return Convert.ToString(get.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
    }

    /// <summary>The open connection: at first use the file is opened (or created), set up and migrated.</summary>
    private SqliteConnection Connection
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is not null) return _connection;
            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            var c = new SqliteConnection(_connectionString);
            try
            {
                SqliteNative.Open(c);
                Configure(c);
                Migrate(c, DatabasePath);
            }
            catch
            {
                c.Dispose();
                throw;
            }
            return _connection = c;
        }
    }

    private static void Configure(SqliteConnection c)
    {
        // busy_timeout first: switching a new file to WAL needs its lock, which a concurrent first open may hold.
        // synchronous=FULL, as podman: WAL is fsynced at every commit, so a container `skiff` reported as created
        // is still recorded after a power cut (NORMAL can lose the last commits then; either stays consistent).
        // Writes are a handful per container lifecycle; the cost is measured in ContainerDatabaseTests.
        using var pragmas = Command(c, null, $"""
            PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000};
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA foreign_keys = ON;
            """);
        pragmas.ExecuteNonQuery();
    }

    private static void Migrate(SqliteConnection c, string path)
    {
        // The usual case reads one header field and takes no write lock.
        int version = UserVersion(c, null);
        if (version == Migrations.Length) return;
        if (version > Migrations.Length)
            throw new EngineException($"the state database {path} has schema version {version}, newer than this skiff's ({Migrations.Length}): use a newer skiff");
        using var tx = c.BeginTransaction(deferred: false);
        // Another process may have migrated it while this one waited for the lock.
        for (version = UserVersion(c, tx); version < Migrations.Length; version++)
        {
            using var step = Command(c, tx, Migrations[version]);
            step.ExecuteNonQuery();
        }
        using (var set = Command(c, tx, $"PRAGMA user_version = {Migrations.Length}"))
            set.ExecuteNonQuery();
        tx.Commit();
    }

    private static int UserVersion(SqliteConnection c, SqliteTransaction? tx)
    {
        using var get = Command(c, tx, "PRAGMA user_version");
        return Convert.ToInt32(get.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static HashSet<string> Names(SqliteConnection c, SqliteTransaction tx)
    {
        using var select = Command(c, tx, "SELECT name FROM containers");
        return [.. ReadStrings(select)];
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    /// <summary>The columns, from the record itself: they can never disagree with its JSON.</summary>
    private static void Bind(SqliteCommand cmd, ContainerRecord rec)
    {
        cmd.Parameters.AddWithValue("$id", rec.Id);
        cmd.Parameters.AddWithValue("$name", rec.Name);
        cmd.Parameters.AddWithValue("$image_id", rec.ImageId);
        cmd.Parameters.AddWithValue("$state", rec.State);
        // UTC with 7 fixed decimals: the text sorts as the time does.
        cmd.Parameters.AddWithValue("$created", rec.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(rec, EngineJsonContext.Default.ContainerRecord));
    }

    private static List<ContainerRecord> ReadAll(SqliteCommand select)
    {
        var list = new List<ContainerRecord>();
        using var r = select.ExecuteReader();
        while (r.Read())
            if (Parse(r.GetString(0)) is { } rec) list.Add(rec);
        return list;
    }

    private static List<string> ReadStrings(SqliteCommand select)
    {
        var list = new List<string>();
        using var r = select.ExecuteReader();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }

    private static ContainerRecord? Parse(string json)
    {
        try { return JsonSerializer.Deserialize(json, EngineJsonContext.Default.ContainerRecord); }
        catch (JsonException) { return null; }
    }

    private static bool IsConstraint(SqliteException e)
        => e.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;

    private static EngineException InUse(SqliteException e, ContainerRecord rec) => e.SqliteExtendedErrorCode == SqliteConstraintPrimaryKey
        ? new EngineException($"creating container storage: the container ID \"{rec.Id}\" is already in use: that ID is already in use", e)
        : new EngineException($"creating container storage: the container name \"{rec.Name}\" is already in use. You have to remove that container to be able to reuse that name: that name is already in use", e);
}
