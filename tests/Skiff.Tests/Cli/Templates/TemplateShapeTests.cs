using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Cli.Output.Templates;

namespace Skiff.Tests.Cli.Templates;

/// <summary>With the serializer's JsonTypeInfo, structs and maps behave as they do in Go.</summary>
public sealed class TemplateShapeTests
{
    private static readonly ContainerReport Report = new()
    {
        ID = "abc",
        Names = ["a", "b"],
        State = new StateReport { Status = "running", Pid = 7 },
        Labels = new() { ["z"] = "1", ["a"] = "2" },
        Counts = new() { ["x"] = 3 },
    };

    private static string Render(string template)
    {
        var info = TemplateTestJsonContext.Default.ContainerReport;
        return Template.Parse(template).Execute(JsonSerializer.SerializeToNode(Report, info), info);
    }

    [Theory]
    [InlineData("{{.Labels.missing}}", "<no value>")]
    [InlineData("[{{index .Labels \"missing\"}}]", "[]")]
    [InlineData("{{index .Counts \"missing\"}} {{index .Counts \"x\"}}", "0 3")]
    [InlineData("{{.Pod}}", "<no value>")]
    [InlineData("{{.State}}", "{running 7 <nil>}")]
    [InlineData("{{printf \"%+v\" .State}}", "{Status:running Pid:7 ExitCode:<nil>}")]
    [InlineData("{{.Labels}}", "map[a:2 z:1]")]
    [InlineData("{{range $k, $v := .Labels}}{{$k}}{{$v}}{{end}}", "a2z1")]
    [InlineData("{{json .Labels}}", "{\"a\":\"2\",\"z\":\"1\"}")]
    [InlineData("{{json .State}}", "{\"Status\":\"running\",\"Pid\":7,\"ExitCode\":null}")]
    [InlineData("{{printf \"%T|%T|%T|%T|%T\" . .State .Labels .Names .Counts}}", "ContainerReport|StateReport|map[string]string|[]string|map[string]int")]
    [InlineData("{{join .Names \"+\"}}", "a+b")]
    [InlineData("{{if .State}}struct is true{{end}}", "struct is true")]
    [InlineData("{{with .Labels}}{{.a}}{{end}}", "2")]
    public void Structs_and_maps_as_in_go(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{.Nope}}", "template: output:1:2: executing \"output\" at <.Nope>: can't evaluate field Nope in type ContainerReport")]
    [InlineData("{{.State.Nope}}", "template: output:1:8: executing \"output\" at <.State.Nope>: can't evaluate field Nope in type StateReport")]
    [InlineData("{{range .State}}{{end}}", "template: output:1:8: executing \"output\" at <.State>: range can't iterate over {running 7 <nil>}")]
    [InlineData("{{len .State}}", "template: output:1:2: executing \"output\" at <len .State>: error calling len: len of type StateReport")]
    [InlineData("{{index .State \"Status\"}}", "template: output:1:2: executing \"output\" at <index .State \"Status\">: error calling index: can't index item of type StateReport")]
    [InlineData("{{.Labels.z \"x\"}}", "template: output:1:9: executing \"output\" at <.Labels.z>: z is not a method but has arguments")]
    [InlineData("{{upper .Names}}", "template: output:1:8: executing \"output\" at <.Names>: wrong type for value; expected string; got []string")]
    public void Struct_errors_name_the_type(string template, string expected)
        => Assert.Equal(expected, Assert.Throws<TemplateException>(() => Render(template)).Message);

    [Fact]
    public void Rows_keep_their_shape_in_a_report()
    {
        var info = TemplateTestJsonContext.Default.ContainerReport;
        var rows = new[] { JsonSerializer.SerializeToNode(Report, info) };
        Assert.Equal("abc <no value>\n", ReportTemplate.Parse("{{.ID}} {{.Labels.nope}}").Render(rows, info));
        Assert.Equal("[]ContainerReport 1\n", ReportTemplate.Parse("{{range .}}{{end}}{{printf \"%T\" .}} {{len .}}").Render(rows, info));
    }

    [Fact]
    public void Fields_added_after_serialization_are_found()
    {
        var info = TemplateTestJsonContext.Default.ContainerReport;
        var node = JsonSerializer.SerializeToNode(Report, info)!.AsObject();
        node["CreatedAt"] = "2024-01-01";
        Assert.Equal("2024-01-01", Template.Parse("{{.CreatedAt}}").Execute(node, info));
    }
}
