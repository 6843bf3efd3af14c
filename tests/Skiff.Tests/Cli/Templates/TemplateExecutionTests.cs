using static Skiff.Tests.Cli.Templates.TemplateTestData;

namespace Skiff.Tests.Cli.Templates;

/// <summary>Fields, variables, control structures, pipelines and how Go prints values, over a container report.</summary>
public sealed class TemplateExecutionTests
{
    [Theory]
    [InlineData("{{.ID}}", "abc123")]
    [InlineData("{{.State.Status}}", "running")]
    [InlineData("{{.State.Pid}} {{.State.Running}}", "42 true")]
    [InlineData("{{.Size}} {{.Ratio}}", "1024 1.5")]
    [InlineData("{{.Names}}", "[web db]")]
    [InlineData("{{.Labels}}", "map[a:1 b:2]")]
    [InlineData("{{.State}}", "map[ExitCode:0 Pid:42 Running:true Status:running]")]
    [InlineData("{{.Mounts}}", "[map[Destination:/b Source:/a] map[Destination:/d Source:/c]]")]
    [InlineData("{{.Ports}}", "[]")]
    [InlineData("[{{.Empty}}]", "[]")]
    [InlineData("{{.Nothing}}", "<no value>")]
    [InlineData("{{.Nothing.Deeper.Still}}", "<no value>")]
    [InlineData("{{$.ID}}", "abc123")]
    [InlineData("{{$.State.Status}}", "running")]
    [InlineData("{{(index .Mounts 1).Source}}", "/c")]
    public void Fields_and_how_values_print(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("""{"L":[1,null,"a",true,2.5]}""", "{{.L}}", "[1 <nil> a true 2.5]")]
    [InlineData("""{"M":{"z":null,"a":[1]}}""", "{{.M}}", "map[a:[1] z:<nil>]")]
    [InlineData("""{"F":2.0,"G":1e21,"H":0.00001,"I":12345678901234}""", "{{.F}} {{.G}} {{.H}} {{.I}}", "2 1e+21 1e-05 12345678901234")]
    [InlineData("""{"S":"a\tb"}""", "{{.S}}", "a\tb")]
    [InlineData("""{"A":1}""", "{{.}}", "map[A:1]")]
    [InlineData("""{"A":1}""", "{{$}}", "map[A:1]")]
    [InlineData("null", "{{.}}", "<no value>")]
    [InlineData("\"text\"", "{{.}}", "text")]
    [InlineData("[1,2]", "{{.}} {{index . 1}}", "[1 2] 2")]
    public void Any_json_value_can_be_dot(string json, string template, string expected)
        => Assert.Equal(expected, Render(template, json));

    [Fact]
    public void Nodes_built_in_code_are_data_too()
    {
        var data = new System.Text.Json.Nodes.JsonObject
        {
            ["I"] = 5,
            ["L"] = 5_000_000_000L,
            ["D"] = 2.5,
            ["W"] = 2.0,
            ["B"] = true,
            ["S"] = "s",
            ["T"] = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            ["N"] = null,
            ["A"] = new System.Text.Json.Nodes.JsonArray(1, "x"),
        };
        Assert.Equal("5 5000000000 2.5 2 true s 2024-01-02T03:04:05Z <no value> [1 x]",
            Skiff.Cli.Output.Templates.Template.Parse("{{.I}} {{.L}} {{.D}} {{.W}} {{.B}} {{.S}} {{.T}} {{.N}} {{.A}}").Execute(data));
    }

    [Fact]
    public void Field_paths_lists_the_chains_read_from_dot()
        => Assert.Equal(["ID", "State.Status", "Names", "Labels.a", "Source"],
            Skiff.Cli.Output.Templates.Template.Parse("{{.ID}} {{if .State.Status}}{{range .Names}}{{.}}{{end}}{{end}}{{$.Labels.a}}{{.ID}}{{define \"x\"}}{{.Source}}{{end}}").FieldPaths());

    [Theory]
    [InlineData("{{$x := .ID}}{{$x}}", "abc123")]
    [InlineData("{{$x := .State}}{{$x.Pid}}", "42")]
    [InlineData("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2")]
    [InlineData("{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "21")]
    [InlineData("{{$last := \"\"}}{{range .Names}}{{$last = .}}{{end}}{{$last}}", "db")]
    [InlineData("{{with $s := .State}}{{$s.Status}}{{end}}", "running")]
    [InlineData("{{if $n := len .Names}}{{$n}}{{end}}", "2")]
    [InlineData("{{$x := 1}}", "")]
    public void Variables_declare_assign_and_scope(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{range .Names}}[{{.}}]{{end}}", "[web][db]")]
    [InlineData("{{range $i, $n := .Names}}{{$i}}:{{$n}} {{end}}", "0:web 1:db ")]
    [InlineData("{{range $n := .Names}}{{$n}}{{end}}", "webdb")]
    [InlineData("{{range .Ports}}x{{else}}none{{end}}", "none")]
    [InlineData("{{range .Nothing}}x{{else}}nil{{end}}", "nil")]
    [InlineData("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", "a=1;b=2;")]
    [InlineData("{{range .Labels}}{{.}}{{end}}", "12")]
    [InlineData("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "/a:/b /c:/d ")]
    [InlineData("{{range .Names}}{{$.ID}}-{{.}} {{end}}", "abc123-web abc123-db ")]
    [InlineData("{{range .Names}}{{if eq . \"web\"}}{{continue}}{{end}}{{.}}{{end}}", "db")]
    [InlineData("{{range .Names}}{{if eq . \"db\"}}{{break}}{{end}}{{.}}{{end}}", "web")]
    [InlineData("{{range $i, $m := .Mounts}}{{range $.Names}}{{$i}}{{.}}{{end}}{{end}}", "0web0db1web1db")]
    [InlineData("{{range 3}}{{.}}{{end}}", "012")]
    [InlineData("{{range $i, $e := .Names}}{{end}}{{$i := 5}}{{$i}}", "5")]
    public void Range_over_lists_maps_and_nothing(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{if .State.Running}}up{{else}}down{{end}}", "up")]
    [InlineData("{{if .Empty}}a{{else if .Ports}}b{{else if .Names}}c{{end}}", "c")]
    [InlineData("{{if .Empty}}a{{else if .Ports}}b{{else}}c{{end}}", "c")]
    [InlineData("{{if .Nothing}}a{{else}}b{{end}}", "b")]
    [InlineData("{{if .Labels}}has{{end}}", "has")]
    [InlineData("{{if 0}}a{{else if \"\"}}b{{else if 1.5}}c{{end}}", "c")]
    [InlineData("{{if and .ID (not .Empty)}}yes{{end}}", "yes")]
    [InlineData("{{if eq .State.Status \"paused\" \"running\"}}x{{end}}", "x")]
    [InlineData("{{with .State}}{{.Status}}/{{.Pid}}{{end}}", "running/42")]
    [InlineData("{{with .Empty}}x{{else}}empty{{end}}", "empty")]
    [InlineData("{{with .Nothing}}x{{else with .ID}}{{.}}{{end}}", "abc123")]
    public void If_else_if_and_with(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{.ID | upper}}", "ABC123")]
    [InlineData("{{.ID | printf \"%s-%s\" \"x\"}}", "x-abc123")]
    [InlineData("{{.ID | len}}", "6")]
    [InlineData("{{.ID | upper | lower | printf \"%q\"}}", "\"abc123\"")]
    [InlineData("{{(index .Names 1) | upper}}", "DB")]
    [InlineData("{{printf \"%s:%d\" .ID (len .Names)}}", "abc123:2")]
    [InlineData("{{upper (printf \"%s\" (index .Names 0))}}", "WEB")]
    [InlineData("{{(.State).Status}}", "running")]
    public void Pipelines_pass_the_previous_result_last(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Fact]
    public void A_piped_value_is_the_last_argument_not_the_first()
        => Assert.Equal("template: output:1:16: executing \"output\" at <\"x\">: can't handle \"x\" for arg of type []string",
            Error("{{.Names | join \"x\"}}"));

    [Theory]
    [InlineData("{{define \"row\"}}<{{.}}>{{end}}{{range .Names}}{{template \"row\" .}}{{end}}", "<web><db>")]
    [InlineData("{{block \"b\" .ID}}[{{.}}]{{end}}", "[abc123]")]
    [InlineData("{{define \"v\"}}{{$}}{{end}}{{template \"v\" 7}}", "7")]
    [InlineData("{{define \"n\"}}{{.}}{{end}}{{template \"n\"}}", "<no value>")]
    [InlineData("{{define \"output\"}}replaced{{end}}", "replaced")]
    public void Define_template_and_block(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{.Foo}}", "template: output:1:2: executing \"output\" at <.Foo>: can't evaluate field Foo in type object")]
    [InlineData("{{.State.Foo}}", "template: output:1:8: executing \"output\" at <.State.Foo>: can't evaluate field Foo in type object")]
    [InlineData("{{.ID.Foo}}", "template: output:1:5: executing \"output\" at <.ID.Foo>: can't evaluate field Foo in type string")]
    [InlineData("{{.Names.Foo}}", "template: output:1:8: executing \"output\" at <.Names.Foo>: can't evaluate field Foo in type []interface {}")]
    [InlineData("{{range .Names}}{{.Foo}}{{end}}", "template: output:1:18: executing \"output\" at <.Foo>: can't evaluate field Foo in type string")]
    [InlineData("a\nb{{.Foo}}", "template: output:2:3: executing \"output\" at <.Foo>: can't evaluate field Foo in type object")]
    [InlineData("{{.ID \"x\"}}", "template: output:1:2: executing \"output\" at <.ID>: ID has arguments but cannot be invoked as function")]
    [InlineData("{{\"x\" | .ID}}", "template: output:1:8: executing \"output\" at <.ID>: ID has arguments but cannot be invoked as function")]
    [InlineData("{{1 2}}", "template: output:1:2: executing \"output\" at <1>: can't give argument to non-function 1")]
    [InlineData("{{nil}}", "template: output:1:2: executing \"output\" at <nil>: nil is not a command")]
    [InlineData("{{$x := 1}}{{$x.Foo}}", "template: output:1:15: executing \"output\" at <$x.Foo>: can't evaluate field Foo in type int")]
    [InlineData("{{$x = 1}}", "template: output:1:7: executing \"output\" at <1>: undefined variable: $x")]
    [InlineData("{{(1).X}}", "template: output:1:3: executing \"output\" at <1>: can't evaluate field X in type int")]
    [InlineData("{{range .ID}}{{end}}", "template: output:1:8: executing \"output\" at <.ID>: range can't iterate over abc123")]
    [InlineData("{{template \"nope\"}}", "template: output:1:11: executing \"output\" at <{{template \"nope\"}}>: template \"nope\" not defined")]
    [InlineData("{{define \"t\"}}{{.Foo}}{{end}}{{template \"t\" .}}", "template: output:1:16: executing \"t\" at <.Foo>: can't evaluate field Foo in type object")]
    [InlineData("{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}", "template: output:1:25: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum template depth (100)")]
    public void Execution_errors_name_the_place_and_the_cause(string template, string expected)
        => Assert.Equal(expected, Error(template));
}
