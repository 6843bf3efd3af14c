using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Skiff.Cli.Output;
using Skiff.Engine;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>`skiff history IMAGE` and `skiff image history IMAGE`: podman's table (ID, CREATED, CREATED BY, SIZE, COMMENT), -q, --no-trunc, -H, --format (Go template or json).</summary>
public static class HistoryCommand
{
    private const int CreatedByWidth = 45;

    public static Command Create(GlobalOptions global)
    {
        var human = new Option<bool>("--human", "-H") { Description = "Display sizes and dates in human readable format", DefaultValueFactory = _ => true };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Do not truncate the output" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Display the numeric IDs only" };
        var format = new Option<string?>("--format") { Description = "Change the output to JSON or a Go template" };
        var args = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("history", "Show history of a specified image") { human, noTrunc, quiet, format, args };
        cmd.SetAction(p =>
        {
            string[] a = p.GetValue(args) ?? [];
            if (a.Length != 1) throw new EngineException($"accepts 1 arg(s), received {a.Length}");
            var entries = global.Engine(p).ImageHistory(a[0]);
            Console.Out.Write(Render(entries, p.GetValue(human), p.GetValue(noTrunc), p.GetValue(quiet), p.GetValue(format), DateTimeOffset.UtcNow));
            return 0;
        });
        return cmd;
    }

    public static string Render(IReadOnlyList<ImageHistoryEntry> entries, bool human, bool noTrunc, bool quiet, string? format, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (quiet)
            return string.Concat(entries.Select(e => Id(e, noTrunc) + "\n"));
        if (format == "json") return Json(entries);
        string template = format ?? "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
        return GoTemplate.RenderRows(template, entries.Select(e => (Func<string, string?>)(name => Field(e, name, human, noTrunc, now))), Header,
            noHeading: false, "history", "images.historyReporter");
    }

    private static string Id(ImageHistoryEntry e, bool noTrunc) => noTrunc || e.Id.Length <= 12 ? e.Id : e.Id[..12];

    private static DateTimeOffset Created(ImageHistoryEntry e) => e.Created ?? DateTimeOffset.MinValue;

    private static string? Field(ImageHistoryEntry e, string name, bool human, bool noTrunc, DateTimeOffset now) => name switch
    {
        "ID" => Id(e, noTrunc),
        "Created" => human ? Units.HumanDuration(now - Created(e)) + " ago" : Rfc3339(Created(e)),
        "CreatedAt" => Created(e).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss '+0000 UTC'", CultureInfo.InvariantCulture),
        "CreatedBy" => noTrunc || e.CreatedBy.Length <= CreatedByWidth ? e.CreatedBy : e.CreatedBy[..(CreatedByWidth - 3)] + "...",
        "Size" => Units.HumanSize(e.Size),
        "Comment" => e.Comment,
        _ => null,
    };

    private static string Header(string name) => name switch
    {
        "CreatedBy" => "CREATED BY",
        "CreatedAt" => "<no value>", // podman 4.3's history has no header for it
        _ => name.ToUpperInvariant(),
    };

    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>podman's json: Go's compact encoding of its history layers (HTML characters escaped as Go escapes them).</summary>
    private static string Json(IReadOnlyList<ImageHistoryEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("id", e.Id);
                w.WriteString("created", Rfc3339(Created(e)));
                if (e.CreatedBy.Length > 0) w.WriteString("CreatedBy", e.CreatedBy);
                w.WriteNumber("size", e.Size);
                if (e.Comment.Length > 0) w.WriteString("comment", e.Comment);
                w.WriteString("Created", Rfc3339(Created(e)));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        var json = new StringBuilder(Encoding.UTF8.GetString(buffer.ToArray()));
        // Outside strings JSON has none of these: Go's encoder escapes them in strings, in lower-case hex.
        json.Replace("<", "\\u003c").Replace(">", "\\u003e").Replace("&", "\\u0026");
        return json.Append('\n').ToString();
    }
}
