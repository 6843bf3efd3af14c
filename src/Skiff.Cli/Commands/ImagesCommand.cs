using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Cli.Output;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>`skiff images`: podman's table, -q, --no-trunc, --format (Go template subset or json).</summary>
public static class ImagesCommand
{
    /// <summary>`images` (alias `list`), or podman's `image list` (alias `ls`) with <paramref name="name"/> "list" and <paramref name="alias"/> "ls".</summary>
    public static Command Create(GlobalOptions global, string name = "images", string alias = "list")
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Display only image IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Do not truncate output" };
        var noHeading = new Option<bool>("--noheading", "-n") { Description = "Do not print column headings" };
        var all = new Option<bool>("--all", "-a") { Description = "Show all images (accepted: there are no intermediate images yet)" };
        var format = new Option<string?>("--format") { Description = "Go template (e.g. '{{.ID}} {{.Repository}}') or json" };
        var cmd = new Command(name, "List images in local storage") { quiet, noTrunc, noHeading, all, format };
        cmd.Aliases.Add(alias);
        cmd.SetAction(p =>
        {
            var images = global.Engine(p).ListImages();
            Console.Out.Write(Render(images, p.GetValue(quiet), p.GetValue(noTrunc), p.GetValue(noHeading), p.GetValue(format), DateTimeOffset.UtcNow));
            return 0;
        });
        return cmd;
    }

    public static string Render(IReadOnlyList<ImageSummary> records, bool quiet, bool noTrunc, bool noHeading, string? format, DateTimeOffset now)
    {
        if (format == "json")
            return JsonSerializer.Serialize(records.Select(ToJson).ToList(), CliJsonContext.Default.ListImageJson) + "\n";
        var rows = records.SelectMany(r => r.Names.Count == 0 ? [Row.Of(r, null, noTrunc, now)] : r.Names.Select(n => Row.Of(r, n, noTrunc, now))).ToList();
        if (quiet)
            return string.Concat(rows.Select(r => r.Id).Distinct().Select(id => id + "\n"));
        string template = format ?? "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}";
        return GoTemplate.RenderRows(template, rows.Select(r => (Func<string, string?>)r.Field), Row.Header, noHeading, "images", "images.imageReporter");
    }

    private static ImageJson ToJson(ImageSummary r) => new()
    {
        Id = r.Id,
        Digest = r.Digest,
        RepoTags = [.. r.Names],
        Names = [.. r.Names],
        Size = r.Size,
        VirtualSize = r.Size,
        Created = r.Created.ToUnixTimeSeconds(),
        CreatedAt = r.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    private sealed record Row(string Repository, string Tag, string Id, string Created, string CreatedAt, string Size, string Digest)
    {
        public static Row Of(ImageSummary r, string? name, bool noTrunc, DateTimeOffset now)
        {
            string repo = "<none>", tag = "<none>";
            if (name is not null)
            {
                int at = name.IndexOf('@', StringComparison.Ordinal);
                string n = at >= 0 ? name[..at] : name;
                int colon = n.LastIndexOf(':');
                if (colon > n.LastIndexOf('/')) { repo = n[..colon]; tag = n[(colon + 1)..]; }
                else repo = n;
            }
            return new Row(repo, tag, noTrunc ? "sha256:" + r.Id : r.Id[..Math.Min(12, r.Id.Length)],
                Units.HumanDuration(now - r.Created) + " ago",
                r.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss '+0000 UTC'", CultureInfo.InvariantCulture),
                Units.HumanSize(r.Size), r.Digest);
        }

        public string? Field(string name) => name switch
        {
            "Repository" => Repository,
            "Tag" => Tag,
            "ID" or "Id" => Id,
            "Created" or "CreatedSince" => Created,
            "CreatedAt" => CreatedAt,
            "Size" => Size,
            "Digest" => Digest,
            _ => null,
        };

        public static string Header(string name) => name switch
        {
            "ID" or "Id" => "IMAGE ID",
            "CreatedSince" => "CREATED",
            "CreatedAt" => "CREATED AT",
            _ => name.ToUpperInvariant(),
        };
    }
}

public sealed class ImageJson
{
    public string Id { get; set; } = "";
    public string Digest { get; set; } = "";
    public List<string> RepoTags { get; set; } = [];
    public List<string> Names { get; set; } = [];
    public long Size { get; set; }
    public long VirtualSize { get; set; }
    public long Created { get; set; }
    public string CreatedAt { get; set; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(List<ImageJson>))]
[JsonSerializable(typeof(InfoJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
