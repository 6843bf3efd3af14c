using Skiff.Cli.Output;

namespace Skiff.Tests.Cli.Templates;

/// <summary>ps and images name a missing field as podman 4.3.1 does (its template named after the verb, over "{{range .}}FORMAT").</summary>
public sealed class GoTemplatePodmanErrorTests
{
    private static string Error(string format)
        => Assert.Throws<FormatException>(() => GoTemplate.RenderRows(format, [name => name == "Names" ? "web" : null], n => n.ToUpperInvariant(), verb: "ps", rowType: "containers.psReporter")).Message;

    [Theory]
    [InlineData("{{.Nope}}", "template: ps:1:13: executing \"ps\" at <.Nope>: can't evaluate field Nope in type containers.psReporter")]
    [InlineData("{{.Names}} {{.Nope}}", "template: ps:1:24: executing \"ps\" at <.Nope>: can't evaluate field Nope in type containers.psReporter")]
    [InlineData("table {{.Names}} {{.Nope}}", "template: ps:1:24: executing \"ps\" at <.Nope>: can't evaluate field Nope in type containers.psReporter")]
    [InlineData("{{.Names}}\\n{{.Nope}}", "template: ps:2:2: executing \"ps\" at <.Nope>: can't evaluate field Nope in type containers.psReporter")]
    public void A_missing_field_is_podmans_error(string format, string message) => Assert.Equal(message, Error(format));

    [Fact]
    public void Without_rows_nothing_is_evaluated()
        => Assert.Equal("", GoTemplate.RenderRows("{{.Nope}}", [], n => n, verb: "ps", rowType: "containers.psReporter"));

    [Fact]
    public void Known_fields_render()
        => Assert.Equal("web\n", GoTemplate.RenderRows("{{.Names}}", [name => name == "Names" ? "web" : null], n => n, verb: "ps", rowType: "containers.psReporter"));
}
