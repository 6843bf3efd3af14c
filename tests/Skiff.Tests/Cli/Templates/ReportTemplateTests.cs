using System.Text.Json.Nodes;
using Skiff.Cli.Output.Templates;

namespace Skiff.Tests.Cli.Templates;

/// <summary>
/// podman's --format handling around the engine: "table " with a header row and tabwriter columns, escapes,
/// the trailing newline. Every table here is what `podman images` / `podman ps -a` (4.3.1) printed for the
/// same format over the same rows.
/// </summary>
public sealed class ReportTemplateTests
{
    private static readonly JsonNode?[] Images =
    [
        JsonNode.Parse("""{"Repository":"localhost/podman-pause","Tag":"4.3.1-0","ID":"8ec62034caa2","Names":["localhost/podman-pause:4.3.1-0"],"Size":"703 kB","VirtualSize":702589}"""),
        JsonNode.Parse("""{"Repository":"127.0.0.1:5099/library/busybox","Tag":"latest","ID":"12a5bfb42764","Names":["127.0.0.1:5099/library/busybox:latest"],"Size":"2.13 MB","VirtualSize":2131098}"""),
    ];

    private static string ImageHeader(string field) => field == "ID" ? "IMAGE ID" : ReportTemplate.DefaultHeader(field);

    private static string Images_(string format, bool noHeading = false)
        => ReportTemplate.Parse(format, "images").Render(Images, header: ImageHeader, noHeading: noHeading);

    [Fact]
    public void Table_columns_are_laid_out_as_podman_does()
        => Assert.Equal("""
            REPOSITORY                      TAG         IMAGE ID
            localhost/podman-pause          4.3.1-0     8ec62034caa2
            127.0.0.1:5099/library/busybox  latest      12a5bfb42764

            """.ReplaceLineEndings("\n"), Images_("table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}"));

    [Theory]
    [InlineData("table {{.Repository}} {{.Tag}}",
        "REPOSITORY                      TAG\nlocalhost/podman-pause          4.3.1-0\n127.0.0.1:5099/library/busybox  latest\n")]
    [InlineData("table {{ .Tag }}|{{ if eq .Tag \"latest\" }}yes{{ end }}",
        "TAG|\n4.3.1-0|\nlatest|yes\n")]
    [InlineData("table {{upper .Repository}}\t{{.Tag}}",
        "REPOSITORY                      TAG\nLOCALHOST/PODMAN-PAUSE          4.3.1-0\n127.0.0.1:5099/LIBRARY/BUSYBOX  latest\n")]
    [InlineData("table {{json .Names}}\\t{{.Tag}}",
        "\"NAMES\"                                    TAG\n[\"localhost/podman-pause:4.3.1-0\"]         4.3.1-0\n[\"127.0.0.1:5099/library/busybox:latest\"]  latest\n")]
    [InlineData("table {{.Tag}}\\t{{if eq .Tag \"latest\"}}{{.Repository}}\\tX{{else}}short{{end}}\\t{{.ID}}",
        "TAG         short                           IMAGE ID\n4.3.1-0     short                           8ec62034caa2\nlatest      127.0.0.1:5099/library/busybox  X           12a5bfb42764\n")]
    [InlineData("table {{.Tag}}\\t\\t{{.ID}}\\t",
        "TAG                     IMAGE ID      \n4.3.1-0                 8ec62034caa2  \nlatest                  12a5bfb42764  \n")]
    [InlineData("table {{.Tag}}|{{.ID}}", "TAG|IMAGE ID\n4.3.1-0|8ec62034caa2\nlatest|12a5bfb42764\n")]
    [InlineData("table   {{.Tag}}", "                        TAG\n                        4.3.1-0\n                        latest\n")]
    [InlineData("table {{.Tag}}  {{.ID}}", "TAG                     IMAGE ID\n4.3.1-0                 8ec62034caa2\nlatest                  12a5bfb42764\n")]
    [InlineData("table {{.ID}}\\n{{.Tag}}", "IMAGE ID\nTAG\n8ec62034caa2\n4.3.1-0\n12a5bfb42764\nlatest\n")]
    [InlineData("table {{.Size}}:{{.VirtualSize}}", "SIZE:VIRTUAL SIZE\n703 kB:702589\n2.13 MB:2131098\n")]
    [InlineData("table {{.Names}}", "NAMES\n[localhost/podman-pause:4.3.1-0]\n[127.0.0.1:5099/library/busybox:latest]\n")]
    [InlineData("table {{printf \"%s %s\" .Repository .Tag}}|",
        "REPOSITORY                      TAG|\nlocalhost/podman-pause          4.3.1-0|\n127.0.0.1:5099/library/busybox  latest|\n")]
    [InlineData("table ", "\n\n\n")]
    [InlineData("table", "table\ntable\n")]
    [InlineData("{{.Repository}}\\t{{.Tag}}", "localhost/podman-pause\t4.3.1-0\n127.0.0.1:5099/library/busybox\tlatest\n")]
    [InlineData("{{.ID}}\\n", "8ec62034caa2\n12a5bfb42764\n")]
    [InlineData("{{.ID}}\n", "8ec62034caa2\n12a5bfb42764\n")]
    [InlineData("{{.ID}} {{/* c */}} {{- .Tag -}}  x", "8ec62034caa2 4.3.1-0x\n12a5bfb42764 latestx\n")]
    [InlineData("{{range .}}{{.ID}} {{end}}", "8ec62034caa2 12a5bfb42764 \n")]
    public void Formats_render_as_podman_renders_them(string format, string expected)
        => Assert.Equal(expected, Images_(format));

    [Fact]
    public void No_heading_drops_the_header_row_only()
        => Assert.Equal("4.3.1-0     8ec62034caa2\nlatest      12a5bfb42764\n", Images_("table {{.Tag}}\\t{{.ID}}", noHeading: true));

    [Fact]
    public void Ps_default_table_matches_podman()
    {
        var row = JsonNode.Parse("""
            {"ID":"db69f07bc51a","Image":"127.0.0.1:5099/library/busybox:latest","Command":"sleep 100","Created":"6 hours ago",
             "Status":"Exited (0) 6 hours ago","Ports":"","Names":"cranky_leakey"}
            """);
        string table = ReportTemplate.Parse("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}")
            .Render([row], header: f => f == "ID" ? "CONTAINER ID" : ReportTemplate.DefaultHeader(f));
        Assert.Equal(
            "CONTAINER ID  IMAGE                                  COMMAND     CREATED      STATUS                  PORTS       NAMES\n" +
            "db69f07bc51a  127.0.0.1:5099/library/busybox:latest  sleep 100   6 hours ago  Exited (0) 6 hours ago              cranky_leakey\n",
            table);
    }

    [Fact]
    public void Columns_count_characters_not_bytes()
    {
        var rows = new[] { JsonNode.Parse("""{"A":"héllo","B":"x"}"""), JsonNode.Parse("""{"A":"h","B":"y"}""") };
        Assert.Equal("A           B\nhéllo       x\nh           y\n", ReportTemplate.Parse("table {{.A}}\t{{.B}}").Render(rows));
    }

    [Fact]
    public void An_empty_listing_prints_the_header_only()
        => Assert.Equal("REPOSITORY  TAG\n", ReportTemplate.Parse("table {{.Repository}}\t{{.Tag}}").Render([]));

    [Theory]
    [InlineData("ID", "ID")]
    [InlineData("CreatedAt", "CREATED AT")]
    [InlineData("VirtualSize", "VIRTUAL SIZE")]
    [InlineData("ImageID", "IMAGE ID")]
    [InlineData("State.Status", "STATUS")]
    [InlineData("Config.Labels", "LABELS")]
    [InlineData("PDFLoader", "PDF LOADER")]
    [InlineData("Version2", "VERSION 2")]
    [InlineData("Names", "NAMES")]
    [InlineData("", "")]
    public void Default_headers_split_the_last_field_name_as_podman(string field, string expected)
        => Assert.Equal(expected, ReportTemplate.DefaultHeader(field));

    [Theory]
    [InlineData("table {{.State.Status}}\t{{.Config.Labels}}", "STATUS      LABELS\n")]
    [InlineData("table {{join .Names \",\"}}", "NAMES\n")]
    [InlineData("table {{range .Mounts}}{{.Source}}{{end}}", "SOURCE\n")]
    [InlineData("table {{with .State}}{{.Pid}}{{end}}", "PID\n")]
    [InlineData("table {{$id := .ID}}{{$id}}\t{{$.Image}}", "ID          IMAGE\n")]
    [InlineData("table {{.ID | printf \"%-14s\"}}|", "ID            |\n")]
    [InlineData("table {{if .Labels}}{{.Labels}}{{end}}", "LABELS\n")]
    public void Header_rows_name_each_field_chain(string format, string expected)
        => Assert.Equal(expected, ReportTemplate.Parse(format).Render([]));

    [Fact]
    public void The_header_function_receives_the_whole_field_chain()
    {
        var seen = new List<string>();
        string header = ReportTemplate.Parse("table {{.ID}}\t{{.State.Status}}").Render([], header: f =>
        {
            seen.Add(f);
            return f == "ID" ? "CONTAINER ID" : "STATE";
        });
        Assert.Equal("CONTAINER ID  STATE\n", header);
        Assert.Equal(["ID", "State.Status"], seen);
    }

    [Theory]
    [InlineData("{{.ID}}", "{{.ID}}\n")]
    [InlineData("{{.ID}}\\t{{.Names}}", "{{.ID}}\t{{.Names}}\n")]
    [InlineData("a\\nb\n", "a\nb\n")]
    [InlineData("table {{.A}} {{.B}}", "{{.A}}\t{{.B}}\n")]
    [InlineData("table {{ .A }}\\t{{.B}}\\n", "{{\t.A\t}}\t{{.B}}\n")]
    [InlineData("\\\\t", "\\\t\n")]
    [InlineData("", "\n")]
    public void Formats_are_normalized_as_podman_does(string format, string expected)
        => Assert.Equal(expected, ReportTemplate.Normalize(format));

    [Fact]
    public void A_format_that_ranges_over_dot_gets_the_whole_list()
    {
        var report = ReportTemplate.Parse("{{range .}}{{.Tag}},{{end}}{{len .}}");
        Assert.False(report.IsTable);
        Assert.Equal("4.3.1-0,latest,2\n", report.Render(Images));
    }

    [Fact]
    public void A_single_object_renders_once()
    {
        var version = JsonNode.Parse("""{"Client":{"Version":"4.3.1","OsArch":"linux/amd64"}}""");
        Assert.Equal("4.3.1 linux/amd64\n", ReportTemplate.Parse("{{.Client.Version}} {{.Client.OsArch}}").RenderOne(version));
        Assert.Equal("VERSION     OS ARCH\n4.3.1       linux/amd64\n", ReportTemplate.Parse("table {{.Client.Version}} {{.Client.OsArch}}").RenderOne(version));
    }

    [Fact]
    public void A_row_that_fails_is_a_template_error_naming_the_template()
    {
        var e = Assert.Throws<TemplateException>(() => ReportTemplate.Parse("table {{.Nope}}", "images").Render(Images));
        Assert.Equal("template: images:1:2: executing \"images\" at <.Nope>: can't evaluate field Nope in type object", e.Message);
    }

    [Fact]
    public void Is_table_needs_the_space_after_table()
    {
        Assert.True(ReportTemplate.Parse("table {{.ID}}").IsTable);
        Assert.False(ReportTemplate.Parse("table").IsTable);
        Assert.False(ReportTemplate.Parse("tablet {{.ID}}").IsTable);
        Assert.False(ReportTemplate.Parse(" table {{.ID}}").IsTable);
    }
}
