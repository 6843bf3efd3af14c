using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.Storage;

namespace Skiff.Tests.Engine.State;

/// <summary>A scratch directory for a state database, removed on dispose.</summary>
internal sealed class StateScratch : IDisposable
{
    public StateScratch()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "skiff-state-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }
    public string DatabasePath => System.IO.Path.Combine(Root, "db.sql");

    public string Path(string name) => System.IO.Path.Combine(Root, name);

    /// <summary>A connection of its own to the database, to look at it as another process would.</summary>
    public SqliteConnection Raw()
    {
        SqliteNative.EnsureInitialized();
        var c = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        c.Open();
        return c;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}

internal static class StateRecords
{
    public static readonly ImageRecord Image = new() { Id = new string('a', 64), Names = ["docker.io/library/busybox:latest"] };

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static ContainerRecord Record(string id, string name = "", string? imageId = null) => new()
    {
        Id = id,
        Name = name,
        ImageId = imageId ?? Image.Id,
        ImageName = Image.Names[0],
        Command = ["sh", "-c", "echo 'quoted' \"twice\""],
        Created = DateTimeOffset.UtcNow,
    };

    public static string Json(ContainerRecord rec) => JsonSerializer.Serialize(rec, EngineJsonContext.Default.ContainerRecord);

    public static string NameInUse(string name)
        => $"creating container storage: the container name \"{name}\" is already in use. You have to remove that container to be able to reuse that name: that name is already in use";

    public static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    public static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
