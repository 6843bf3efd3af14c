using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Skiff.Cli.Output.Templates;

namespace Skiff.Cli.Output;

/// <summary>One object `inspect` found: its report as JSON and the metadata of the type it was serialized from.</summary>
public readonly record struct InspectItem(JsonNode? Data, JsonTypeInfo Type);

/// <summary>
/// `inspect`'s output as podman prints it: without a format (or with "json" or "{{json .}}"), a JSON array indented
/// by five spaces as Go's MarshalIndent writes it; with a Go template, the template once per object, as podman runs
/// "{{range .}}FORMAT\n{{end -}}" over the list (so an error names "inspect:1:13" where podman's does).
/// </summary>
public sealed partial class InspectOutput
{
    private const string Indent = "     ";

    private readonly Template? _template;
    private readonly bool _table;

    private InspectOutput(Template? template, bool table)
    {
        _template = template;
        _table = table;
    }

    /// <summary>The output for a --format value: null, "", "json" or "{{json .}}" for the JSON array, else a Go template.</summary>
    /// <exception cref="TemplateException">The template does not parse (podman prints the parser's error alone).</exception>
    public static InspectOutput Parse(string? format)
    {
        if (string.IsNullOrEmpty(format) || IsJson(format)) return new InspectOutput(null, false);
        string row = ReportTemplate.Normalize(Normalize(format));
        return new InspectOutput(Template.Parse("{{range .}}" + row + "{{end -}}", "inspect"), format.StartsWith("table ", StringComparison.Ordinal));
    }

    /// <summary>Renders the objects; what a template printed before it failed is written too, as podman's is.</summary>
    /// <exception cref="TemplateException">An object lacks a field the template reads (or another execution error).</exception>
    public void Render(IReadOnlyList<InspectItem> items, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(output);
        var list = Value.ListOf([.. items.Select(i => i.Data)], Shape.ListOfEach([.. items.Select(i => Shape.Of(i.Type))], "interface {}"));
        if (_template is null)
        {
            output.Write(GoJson.EncodeIndented(list, Indent) + "\n");
            return;
        }
        var text = new StringBuilder();
        try
        {
            Evaluator.Execute(_template, list, text);
        }
        finally
        {
            output.Write(_table ? TabWriter.Format(text.ToString()) : text.ToString());
        }
    }

    /// <summary>Parse and render to a string.</summary>
    public static string Render(IReadOnlyList<InspectItem> items, string? format)
    {
        using var writer = new StringWriter();
        Parse(format).Render(items, writer);
        return writer.ToString();
    }

    /// <summary>podman's report.IsJSON: "json" or "{{json .}}" alone print the JSON array.</summary>
    public static bool IsJson(string format) => JsonFormat().IsMatch(format);

    /// <summary>podman's inspectNormalize: the old names .Src, .Dst and .ImageID mean .Source, .Destination and .Image.</summary>
    private static string Normalize(string format)
        => format.Replace(".Src", ".Source", StringComparison.Ordinal).Replace(".Dst", ".Destination", StringComparison.Ordinal)
            .Replace(".ImageID", ".Image", StringComparison.Ordinal);

    [GeneratedRegex(@"^\s*(json|{{\s*json\s*(\.)?\s*}})\s*$")]
    private static partial Regex JsonFormat();
}
