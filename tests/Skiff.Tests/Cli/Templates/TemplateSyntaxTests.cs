using static Skiff.Tests.Cli.Templates.TemplateTestData;

namespace Skiff.Tests.Cli.Templates;

/// <summary>Text, actions, trim markers, comments and literals, as Go's text/template reads them.</summary>
public sealed class TemplateSyntaxTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    [InlineData("a{{.ID}}b", "aabc123b")]
    [InlineData("{{ .ID }}", "abc123")]
    [InlineData("{{\n.ID\n}}", "abc123")]
    [InlineData("{ {.ID} }", "{ {.ID} }")]
    [InlineData("a  {{- .ID -}}  b", "aabc123b")]
    [InlineData("a \n\t{{- .ID}} b", "aabc123 b")]
    [InlineData("a {{.ID -}} \n b", "a abc123b")]
    [InlineData("{{-3}}", "-3")]
    [InlineData("x{{/* a comment */}}y", "xy")]
    [InlineData("x {{- /* trimmed */ -}} y", "xy")]
    [InlineData("x{{/* multi\nline */}}y", "xy")]
    public void Text_actions_trim_markers_and_comments(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{\"a\\tb\"}}", "a\tb")]
    [InlineData("{{\"q\\\"uote\\\\\"}}", "q\"uote\\")]
    [InlineData("{{\"\\u00e9\\x41\\101\"}}", "éAA")]
    [InlineData("{{`raw \\n {{ string`}}", "raw \\n {{ string")]
    [InlineData("{{`multi\nline`}}", "multi\nline")]
    [InlineData("{{42}}", "42")]
    [InlineData("{{-7}}", "-7")]
    [InlineData("{{+3}}", "3")]
    [InlineData("{{1.5}}", "1.5")]
    [InlineData("{{1e6}}", "1e+06")]
    [InlineData("{{1e21}}", "1e+21")]
    [InlineData("{{123456789.0}}", "1.23456789e+08")]
    [InlineData("{{100000.0}}", "100000")]
    [InlineData("{{0.0001}}", "0.0001")]
    [InlineData("{{0.00001}}", "1e-05")]
    [InlineData("{{-0.0}}", "-0")]
    [InlineData("{{0x10}}", "16")]
    [InlineData("{{0o17}} {{017}} {{0b101}}", "15 15 5")]
    [InlineData("{{1_000}}", "1000")]
    [InlineData("{{'a'}} {{'\\n'}} {{'é'}}", "97 10 233")]
    [InlineData("{{true}} {{false}}", "true false")]
    public void Literals_print_as_go_prints_them(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{}", "template: output:1: unexpected \"}\" in command")]
    [InlineData("{{.ID}", "template: output:1: bad character U+007D '}'")]
    [InlineData("{{.ID", "template: output:1: unclosed action")]
    [InlineData("{{}}", "template: output:1: missing value for command")]
    [InlineData("{{if .ID}}x", "template: output:1: unexpected EOF")]
    [InlineData("{{end}}", "template: output:1: unexpected {{end}}")]
    [InlineData("{{else}}", "template: output:1: unexpected {{else}}")]
    [InlineData("{{range}}{{end}}", "template: output:1: missing value for range")]
    [InlineData("{{if}}{{end}}", "template: output:1: missing value for if")]
    [InlineData("{{if 1}}{{else}}{{else}}{{end}}", "template: output:1: expected end; found {{else}}")]
    [InlineData("{{$x}}", "template: output:1: undefined variable \"$x\"")]
    [InlineData("{{foo}}", "template: output:1: function \"foo\" not defined")]
    [InlineData("{{.ID | \"x\"}}", "template: output:1: non executable command in pipeline stage 2")]
    [InlineData("{{/* c */ }}ok", "template: output:1: comment ends before closing delimiter")]
    [InlineData("{{/* c", "template: output:1: unclosed comment")]
    [InlineData("{{ \"abc }}", "template: output:1: unterminated quoted string")]
    [InlineData("{{ `abc }}", "template: output:1: unterminated raw quoted string")]
    [InlineData("{{ 'a }}", "template: output:1: unterminated character constant")]
    [InlineData("{{(1}}", "template: output:1: unclosed left paren")]
    [InlineData("{{1)}}", "template: output:1: unexpected \")\" in command")]
    [InlineData("{{3x}}", "template: output:1: bad number syntax: \"3x\"")]
    [InlineData("{{08}}", "template: output:1: integer overflow: \"08\"")]
    [InlineData("{{\"a\".b}}", "template: output:1: unexpected . after term \"\\\"a\\\"\"")]
    [InlineData("{{break}}", "template: output:1: {{break}} outside {{range}}")]
    [InlineData("{{range .Names}}{{continue 1}}{{end}}", "template: output:1: unexpected \"1\" in {{continue}}")]
    [InlineData("{{$a, $b := .}}", "template: output:1: too many declarations in command")]
    [InlineData("{{range $a, 1}}{{end}}", "template: output:1: range can only initialize variables")]
    [InlineData("{{.ID ^}}", "template: output:1: unexpected \"^\" in operand")]
    [InlineData("{{.ID : 1}}", "template: output:1: expected :=")]
    [InlineData("{{\"\\q\"}}", "template: output:1: invalid syntax")]
    [InlineData("{{template .ID}}", "template: output:1: unexpected \".ID\" in template clause")]
    [InlineData("line1\nline2 {{", "template: output:2: unclosed action")]
    [InlineData("{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}", "template: output:1: template: multiple definition of template \"a\"")]
    public void Syntax_errors_are_worded_as_go_words_them(string template, string expected)
        => Assert.Equal(expected, Error(template));

    [Fact]
    public void Errors_are_one_line_and_a_format_exception()
    {
        var e = Assert.Throws<Skiff.Cli.Output.Templates.TemplateException>(() => Render("{{`a\nb` 1}}"));
        Assert.IsAssignableFrom<FormatException>(e);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("template: output:1:2: executing \"output\" at <`a\\nb`>: can't give argument to non-function `a\\nb`", e.Message);
    }

    [Fact]
    public void A_parsed_template_keeps_its_name_and_text()
    {
        var t = Skiff.Cli.Output.Templates.Template.Parse("{{.X}}", "images");
        Assert.Equal("images", t.Name);
        Assert.Equal("{{.X}}", t.Text);
        Assert.StartsWith("template: images:1:2: executing \"images\" at <.X>", Assert.Throws<Skiff.Cli.Output.Templates.TemplateException>(() => t.Execute(new System.Text.Json.Nodes.JsonObject())).Message);
    }
}
