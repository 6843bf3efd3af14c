using Skiff.Cli.Output;

namespace Skiff.Tests.Cli.Templates;

/// <summary>The older field-lookup API (ps, images, version, info) runs on the engine and keeps its contract.</summary>
public sealed class GoTemplateCompatibilityTests
{
    private static string? Field(string name) => name switch
    {
        "ID" => "db69f07bc51a",
        "Names" => "cranky_leakey",
        "Status" => "Exited (0) 6 hours ago",
        "Client.Version" => "4.3.1",
        "Client.OsArch" => "linux/amd64",
        _ => null,
    };

    private static string Header(string name) => name == "ID" ? "CONTAINER ID" : name.ToUpperInvariant();

    [Theory]
    [InlineData("{{.ID}}\\t{{ .Names }}", "db69f07bc51a\tcranky_leakey")]
    [InlineData("{{.Client.Version}} {{.Client.OsArch}}", "4.3.1 linux/amd64")]
    [InlineData("{{upper .Names}} {{len .ID}} {{if eq .Status \"running\"}}up{{else}}down{{end}}", "CRANKY_LEAKEY 12 down")]
    [InlineData("{{printf \"%-14s|\" .ID}}", "db69f07bc51a  |")]
    public void Render_runs_full_templates_over_the_lookup(string template, string expected)
        => Assert.Equal(expected, GoTemplate.Render(template, Field));

    [Fact]
    public void Unknown_fields_and_bad_syntax_are_format_exceptions_in_gos_words()
    {
        var e = Assert.Throws<FormatException>(() => GoTemplate.Render("{{.Nope}}", Field));
        Assert.Equal("template: output:1:2: executing \"output\" at <.Nope>: can't evaluate field Nope in type object", e.Message);
        Assert.Equal("template: output:1: unclosed action", Assert.Throws<FormatException>(() => GoTemplate.Render("{{.ID", Field)).Message);
    }

    [Fact]
    public void Header_names_each_field()
        => Assert.Equal("CONTAINER ID\tNAMES", GoTemplate.Header("{{.ID}}\\t{{.Names}}", Header));

    [Fact]
    public void Rows_render_as_podman_lists()
    {
        Func<string, string?>[] rows = [Field, Field];
        Assert.Equal("CONTAINER ID  NAMES\ndb69f07bc51a  cranky_leakey\ndb69f07bc51a  cranky_leakey\n",
            GoTemplate.RenderRows("table {{.ID}}\t{{.Names}}", rows, Header));
        Assert.Equal("db69f07bc51a  cranky_leakey\n", GoTemplate.RenderRows("table {{.ID}} {{.Names}}", [Field], Header, noHeading: true));
        Assert.Equal("cranky_leakey Exited (0) 6 hours ago\n", GoTemplate.RenderRows("{{.Names}} {{.Status}}", [Field], Header));
    }

    [Theory]
    [InlineData("table {{.ID}}", true, "{{.ID}}")]
    [InlineData("{{.ID}}", false, "{{.ID}}")]
    public void Is_table_and_body_are_unchanged(string format, bool table, string body)
    {
        Assert.Equal(table, GoTemplate.IsTable(format));
        Assert.Equal(body, GoTemplate.Body(format));
    }
}
