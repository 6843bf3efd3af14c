using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Skiff.Engine.Volumes;

namespace Skiff.Engine.State;

/// <summary>
/// The volumes table of the state database (schema step 3): one row per volume, its <see cref="VolumeRecord"/> as
/// JSON. Which containers use a volume is read from the containers' own records (<c>ContainerRecord.Volumes</c>) in
/// the same transaction that removes it, so a volume cannot be removed under a container that was just recorded.
/// </summary>
public sealed partial class ContainerDatabase
{
    /// <summary>Records a new volume; false (and nothing written) when the name is taken.</summary>
    public bool InsertVolume(VolumeRecord volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        lock (_gate)
        {
            var c = Connection;
            using var tx = c.BeginTransaction(deferred: false);
            using var insert = Command(c, tx, "INSERT OR IGNORE INTO volumes (name, created, json) VALUES ($name, $created, $json)");
            BindVolume(insert, volume);
            int n = insert.ExecuteNonQuery();
            tx.Commit();
            return n == 1;
        }
    }

    public VolumeRecord? GetVolume(string name)
    {
        lock (_gate)
        {
            using var select = Command(Connection, null, "SELECT json FROM volumes WHERE name = $name");
            select.Parameters.AddWithValue("$name", name);
            return select.ExecuteScalar() is string json ? ParseVolume(json) : null;
        }
    }

    /// <summary>Every volume, oldest first.</summary>
    public IReadOnlyList<VolumeRecord> AllVolumes()
    {
        lock (_gate)
        {
            using var select = Command(Connection, null, "SELECT json FROM volumes ORDER BY created, name");
            var list = new List<VolumeRecord>();
            using var r = select.ExecuteReader();
            while (r.Read())
                if (ParseVolume(r.GetString(0)) is { } v) list.Add(v);
            return list;
        }
    }

    /// <summary>Changes one volume's record in a write transaction; null when it is gone.</summary>
    public VolumeRecord? UpdateVolume(string name, Action<VolumeRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            var c = Connection;
            using var tx = c.BeginTransaction(deferred: false);
            VolumeRecord? v;
            using (var select = Command(c, tx, "SELECT json FROM volumes WHERE name = $name"))
            {
                select.Parameters.AddWithValue("$name", name);
                v = select.ExecuteScalar() is string json ? ParseVolume(json) : null;
            }
            if (v is null) return null;
            change(v);
            v.Name = name;
            using (var update = Command(c, tx, "UPDATE volumes SET created = $created, json = $json WHERE name = $name"))
            {
                BindVolume(update, v);
                update.ExecuteNonQuery();
            }
            tx.Commit();
            return v;
        }
    }

    /// <summary>The ids of the containers whose records name the volume, oldest first.</summary>
    public List<string> VolumeUsers(string name)
    {
        lock (_gate)
        {
            var c = Connection;
            return Users(c, null, name);
        }
    }

    /// <summary>
    /// Removes the volume's record unless a container uses it, in one write transaction. Returns the users (empty:
    /// removed, or there was no such volume: see <paramref name="existed"/>).
    /// </summary>
    public List<string> RemoveVolumeUnlessUsed(string name, out bool existed)
    {
        lock (_gate)
        {
            var c = Connection;
            using var tx = c.BeginTransaction(deferred: false);
            var users = Users(c, tx, name);
            if (users.Count > 0)
            {
                existed = true;
                return users;
            }
            using var delete = Command(c, tx, "DELETE FROM volumes WHERE name = $name");
            delete.Parameters.AddWithValue("$name", name);
            existed = delete.ExecuteNonQuery() == 1;
            tx.Commit();
            return users;
        }
    }

    private static List<string> Users(SqliteConnection c, SqliteTransaction? tx, string name)
    {
        // instr() narrows the rows; the parsed record decides.
        using var select = Command(c, tx, "SELECT json FROM containers WHERE instr(json, $quoted) > 0" + Order);
        select.Parameters.AddWithValue("$quoted", JsonSerializer.Serialize(name, EngineJsonContext.Default.String));
        var ids = new List<string>();
        using var r = select.ExecuteReader();
        while (r.Read())
            if (Parse(r.GetString(0)) is { } rec && rec.Volumes.Contains(name)) ids.Add(rec.Id);
        return ids;
    }

    private static void BindVolume(SqliteCommand cmd, VolumeRecord v)
    {
        cmd.Parameters.AddWithValue("$name", v.Name);
        cmd.Parameters.AddWithValue("$created", v.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(v, EngineJsonContext.Default.VolumeRecord));
    }

    private static VolumeRecord? ParseVolume(string json)
    {
        try { return JsonSerializer.Deserialize(json, EngineJsonContext.Default.VolumeRecord); }
        catch (JsonException) { return null; }
    }
}
