using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using static Skiff.Tests.Engine.State.StateRecords;

namespace Skiff.Tests.Engine.State;

public sealed class ContainerDatabaseTests : IDisposable
{
    private readonly StateScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Opens_lazily_and_sets_up_wal_with_the_current_schema()
    {
        using (var unused = new ContainerDatabase(_scratch.DatabasePath))
            Assert.False(File.Exists(_scratch.DatabasePath));

        using var db = new ContainerDatabase(Path.Combine(_scratch.Root, "made", "here", "db.sql"));
        Assert.Empty(db.All());
        Assert.Equal("wal", db.Pragma("journal_mode"));
        Assert.Equal("2", db.Pragma("synchronous")); // FULL
        Assert.Equal("10000", db.Pragma("busy_timeout"));
        Assert.Equal("1", db.Pragma("foreign_keys"));
        Assert.Equal(ContainerDatabase.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), db.Pragma("user_version"));
        Assert.Equal("ok", db.CheckIntegrity());
    }

    [Fact]
    public void Reserve_writes_the_record_and_its_columns_from_the_same_values()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        string id = NewId();
        string name = db.Reserve(id, "web", Image, ["sh", "-c", "it's"], rec => rec.Runtime = "/usr/bin/runc");
        Assert.Equal("web", name);

        var got = db.Get(id)!;
        Assert.Equal(("web", Image.Id, Image.Names[0], "sh -c it's", "/usr/bin/runc"), (got.Name, got.ImageId, got.ImageName, string.Join(' ', got.Command), got.Runtime));
        AssertColumnsMatchJson(id);
        Assert.Null(db.Get(NewId()));
    }

    [Fact]
    public void A_taken_name_is_podmans_error_and_nothing_is_written()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        db.Reserve(NewId(), "web", Image, ["true"]);
        string other = NewId();
        var e = Assert.Throws<EngineException>(() => db.Reserve(other, "web", Image, ["true"]));
        Assert.Equal(NameInUse("web"), e.Message);
        Assert.Equal(125, e.ExitCode);
        Assert.Null(db.Get(other));
        Assert.Single(db.All());
    }

    [Fact]
    public void An_invalid_name_or_a_taken_id_is_refused()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        var bad = Assert.Throws<EngineException>(() => db.Reserve(NewId(), "-x", Image, ["true"]));
        Assert.Equal("container name \"-x\" is not valid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", bad.Message);
        string id = NewId();
        db.Reserve(id, "one", Image, ["true"]);
        var dup = Assert.Throws<EngineException>(() => db.Reserve(id, "two", Image, ["true"]));
        Assert.Contains("ID \"" + id + "\" is already in use", dup.Message, StringComparison.Ordinal);
        Assert.Equal("one", Assert.Single(db.All()).Name);
    }

    [Fact]
    public void Generated_names_are_podman_shaped_and_never_collide()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        // Many more than the 480 adjective_surname pairs would make collisions the rule; 150 make them frequent.
        var names = Enumerable.Range(0, 150).Select(_ => db.Reserve(NewId(), null, Image, ["true"])).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, n => Assert.Matches("^[a-z]+_[a-z]+[0-9]*$", n));
        Assert.Equal(names.Order(StringComparer.Ordinal), db.All().Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Find_takes_an_id_or_a_name_then_a_unique_prefix_of_three_characters()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        string a = "abc1" + NewId()[4..], b = "abc2" + NewId()[4..], c = "fed" + NewId()[3..];
        db.Reserve(a, "first", Image, ["true"]);
        db.Reserve(b, "second", Image, ["true"]);
        // A container named like another's id: the full id wins, as in podman.
        db.Reserve(c, a[..10], Image, ["true"]);

        Assert.Equal("first", db.Find(a).Name);
        Assert.Equal("second", db.Find("second").Name);
        Assert.Equal(a[..10], db.Find(a[..10]).Name);
        Assert.Equal(c, db.Find("fed").Id);
        Assert.Equal(b, db.Find("abc2").Id);
        Assert.Equal(a, db.Find(a[..11]).Id);

        var ambiguous = Assert.Throws<EngineException>(() => db.Find("abc"));
        Assert.Equal(("more than one result for container ID prefix \"abc\"", 125), (ambiguous.Message, ambiguous.ExitCode));
        var tooShort = Assert.Throws<EngineException>(() => db.Find("fe"));
        Assert.Equal(("no container with name or ID \"fe\" found: no such container", ErrorKind.NoSuchObject), (tooShort.Message, tooShort.Kind));
        Assert.Throws<EngineException>(() => db.Find("abd"));
        // LIKE and GLOB characters are plain characters.
        Assert.Throws<EngineException>(() => db.Find("ab%"));
        Assert.Throws<EngineException>(() => db.Find("ab*"));
    }

    [Fact]
    public void Update_changes_the_record_and_its_columns_in_one_transaction()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        string id = NewId();
        db.Reserve(id, "web", Image, ["true"]);

        var updated = db.Update(id, rec => { rec.State = "running"; rec.Pid = 42; rec.Name = "renamed"; });
        Assert.Equal(("running", 42, "renamed"), (updated!.State, updated.Pid, updated.Name));
        Assert.Equal(("running", 42), (db.Get(id)!.State, db.Get(id)!.Pid));
        Assert.Equal(id, db.Find("renamed").Id);
        AssertColumnsMatchJson(id);

        Assert.Null(db.Update(NewId(), rec => rec.State = "exited"));
    }

    [Fact]
    public void A_failed_update_leaves_the_record_as_it_was()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        string id = NewId();
        db.Reserve(id, "one", Image, ["true"]);
        db.Reserve(NewId(), "two", Image, ["true"]);

        var e = Assert.Throws<EngineException>(() => db.Update(id, rec => { rec.State = "exited"; rec.Name = "two"; }));
        Assert.Equal(NameInUse("two"), e.Message);
        Assert.Throws<InvalidOperationException>(() => db.Update(id, rec => { rec.State = "exited"; throw new InvalidOperationException(); }));
        var rec = db.Get(id)!;
        Assert.Equal(("one", new ContainerRecord().State), (rec.Name, rec.State));
        AssertColumnsMatchJson(id);
        // The connection is still usable: the transactions were rolled back.
        Assert.NotNull(db.Update(id, r => r.State = "created"));
    }

    [Fact]
    public void Remove_and_using_image()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        string a = NewId(), b = NewId(), c = NewId();
        db.Reserve(StateRecords.Record(a, "a", "img1"));
        db.Reserve(StateRecords.Record(b, "b", "img2"));
        db.Reserve(StateRecords.Record(c, "c", "img1"));
        Assert.Equal([a, c], db.UsingImage("img1").Select(r => r.Id));
        db.Remove(a);
        db.Remove(NewId());
        Assert.Equal([c], db.UsingImage("img1").Select(r => r.Id));
        Assert.Equal([b, c], db.All().Select(r => r.Id));
        // The name is free again.
        db.Reserve(NewId(), "a", Image, ["true"]);
    }

    [Fact]
    public void All_is_oldest_first_and_leaves_out_an_unreadable_row()
    {
        using var db = new ContainerDatabase(_scratch.DatabasePath);
        var t0 = DateTimeOffset.UtcNow;
        string late = NewId(), early = NewId();
        var r1 = StateRecords.Record(late, "late");
        r1.Created = t0.AddSeconds(5);
        var r2 = StateRecords.Record(early, "early");
        r2.Created = t0.AddHours(-1).ToOffset(TimeSpan.FromHours(5));
        db.Reserve(r1);
        db.Reserve(r2);
        using (var raw = _scratch.Raw())
            StateRecords.Execute(raw, $"INSERT INTO containers (id, name, json) VALUES ('{NewId()}', 'broken', '{{not json')");
        Assert.Equal([early, late], db.All().Select(r => r.Id));
        Assert.Throws<EngineException>(() => db.Find("broken"));
    }

    [Fact]
    public void An_older_schema_is_migrated_and_a_newer_one_refused()
    {
        string id = NewId();
        using (var raw = _scratch.Raw())
        {
            StateRecords.Execute(raw, ContainerDatabase.Migrations[0]);
            StateRecords.Execute(raw, "PRAGMA user_version = 1");
            StateRecords.Execute(raw, $"INSERT INTO containers (id, name, image_id, json) VALUES ('{id}', 'kept', 'img', '{Json(StateRecords.Record(id, "kept", "img")).Replace("'", "''", StringComparison.Ordinal)}')");
        }
        using (var db = new ContainerDatabase(_scratch.DatabasePath))
        {
            Assert.Equal("kept", db.Find(id[..5]).Name);
            Assert.Equal(id, Assert.Single(db.UsingImage("img")).Id);
        }
        using (var raw = _scratch.Raw())
        {
            Assert.Equal((long)ContainerDatabase.SchemaVersion, StateRecords.Scalar(raw, "PRAGMA user_version"));
            Assert.Equal(1L, StateRecords.Scalar(raw, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'containers_image_id'"));
            StateRecords.Execute(raw, "PRAGMA user_version = 99");
        }
        using var newer = new ContainerDatabase(_scratch.DatabasePath);
        var e = Assert.Throws<EngineException>(() => newer.All());
        Assert.Contains("schema version 99, newer than this skiff's", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_files_of_the_old_store_are_imported_once()
    {
        string dir = _scratch.Path("containers-db");
        Directory.CreateDirectory(dir);
        var records = Enumerable.Range(0, 5).Select(i => StateRecords.Record(NewId(), "old" + i)).ToList();
        foreach (var r in records) File.WriteAllText(Path.Combine(dir, r.Id + ".json"), Json(r));
        File.WriteAllText(Path.Combine(dir, "torn.json"), "{\"Id\":");

        using var db = new ContainerDatabase(_scratch.DatabasePath);
        db.Reserve(NewId(), "old4", Image, ["true"]);
        Assert.Equal(4, db.ImportJsonStore(dir));
        Assert.Equal(0, db.ImportJsonStore(dir));
        Assert.Equal(0, db.ImportJsonStore(_scratch.Path("absent")));
        Assert.Equal(5, db.All().Count);
        Assert.Equal(records[2].Id, db.Find("old2").Id);
        AssertColumnsMatchJson(records[2].Id);
    }

    [Fact]
    public void A_disposed_database_refuses_use()
    {
        var db = new ContainerDatabase(_scratch.DatabasePath);
        db.Reserve(NewId(), "x", Image, ["true"]);
        db.Dispose();
        db.Dispose();
        Assert.Throws<ObjectDisposedException>(() => db.All());
    }

    /// <summary>The looked-up columns say what the JSON says.</summary>
    private void AssertColumnsMatchJson(string id)
    {
        using var raw = _scratch.Raw();
        using var cmd = raw.CreateCommand();
        cmd.CommandText = "SELECT id, name, image_id, state, created, json FROM containers WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        var rec = System.Text.Json.JsonSerializer.Deserialize(r.GetString(5), EngineJsonContext.Default.ContainerRecord)!;
        Assert.Equal((rec.Id, rec.Name, rec.ImageId, rec.State), (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));
        Assert.Equal(rec.Created, DateTimeOffset.Parse(r.GetString(4), System.Globalization.CultureInfo.InvariantCulture));
    }
}
