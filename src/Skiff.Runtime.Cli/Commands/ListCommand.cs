using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Interop;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>
/// list [--format table|json] [--quiet]: the containers under --root, by id, as runc lists them: a table with the
/// columns ID PID STATUS BUNDLE CREATED OWNER (the owner is the user owning the container's state directory),
/// the ids alone with --quiet, or a JSON array of runc's entries.
/// </summary>
public static class ListCommand
{
    public static int Run(RuntimeOptions global, ListOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        var entries = Collect(new StateStore(global.Root), msg => Console.Error.WriteLine($"skiff-runtime: {msg}"));
        Console.Out.Write(Render(entries, o));
        return 0;
    }

    public static string Render(IReadOnlyList<ListEntry> entries, ListOptions o)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(o);
        if (o.Quiet) return string.Concat(entries.Select(e => e.Id + "\n"));
        if (o.Format == "json") return JsonSerializer.Serialize(entries.ToList(), ListJsonContext.Default.ListListEntry) + "\n";
        return Table(entries);
    }

    /// <summary>The containers in the state directory, sorted by id; one that cannot be read is reported and skipped.</summary>
    public static List<ListEntry> Collect(StateStore store, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(warn);
        var list = new List<ListEntry>();
        if (!Directory.Exists(store.Root)) return list;
        foreach (string dir in Directory.GetDirectories(store.Root).Order(StringComparer.Ordinal))
        {
            string id = Path.GetFileName(dir);
            if (id.StartsWith('.')) continue; // the store's own (ids never start with a dot)
            try
            {
                StateStore.ValidateId(id);
                if (!store.Exists(id)) continue; // being created, or not a container
                var state = store.ToOciState(store.Load(id));
                list.Add(new ListEntry
                {
                    OciVersion = state.OciVersion,
                    Id = id,
                    Pid = state.Pid,
                    Status = state.Status,
                    Bundle = state.Bundle,
                    Created = state.Created,
                    Annotations = state.Annotations,
                    Owner = OwnerName(dir),
                });
            }
            catch (RuntimeException e) { warn($"list: {id}: {e.Message}"); }
            catch (IOException e) { warn($"list: {id}: {ErrorText.Describe(e)}"); }
            catch (JsonException e) { warn($"list: {id}: {ErrorText.Json(e)}"); }
        }
        return list;
    }

    /// <summary>runc's table: columns at least 12 wide, 3 spaces apart (Go's tabwriter 12, 1, 3, ' ').</summary>
    public static string Table(IReadOnlyList<ListEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        rows.AddRange(entries.Select(e => new[]
        {
            e.Id, e.Pid.ToString(CultureInfo.InvariantCulture), e.Status, e.Bundle, FormatCreated(e.Created), e.Owner,
        }));
        int columns = rows[0].Length;
        var widths = Enumerable.Range(0, columns - 1).Select(c => Math.Max(12, rows.Max(r => r[c].Length) + 3)).ToArray();
        var b = new StringBuilder();
        foreach (var row in rows)
        {
            for (int c = 0; c < columns - 1; c++) b.Append(row[c].PadRight(widths[c]));
            b.Append(row[^1]).Append('\n');
        }
        return b.ToString();
    }

    /// <summary>RFC 3339 in UTC with the fraction's trailing zeros dropped (Go's RFC3339Nano).</summary>
    public static string FormatCreated(DateTimeOffset? created)
    {
        if (created is not { } t) return "";
        string s = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return s + "Z";
    }

    private static string OwnerName(string dir)
    {
        uint uid;
        try { uid = Libc.OwnerOf(dir); }
        catch (ErrnoException) { return ""; }
        return UserName(uid, "/etc/passwd") ?? $"#{uid}";
    }

    /// <summary>The name of <paramref name="uid"/> in a passwd file, or null.</summary>
    public static string? UserName(uint uid, string passwd)
    {
        string text;
        try { text = File.ReadAllText(passwd); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        string id = uid.ToString(CultureInfo.InvariantCulture);
        foreach (string line in text.Split('\n'))
        {
            string[] f = line.Split(':');
            if (f.Length > 2 && f[2] == id && f[0].Length > 0) return f[0];
        }
        return null;
    }
}

/// <summary>One container in `list --format json` (runc's containerState, without rootfs).</summary>
public sealed class ListEntry
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ListEntry>))]
internal sealed partial class ListJsonContext : JsonSerializerContext;
