using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// A Go text/template, parsed once and executed over JSON data: what podman's --format flags take.
/// Data is a report serialized to a JsonNode with Go's field names (ID, Names, State.Status, Config.Labels);
/// passing the serializer's JsonTypeInfo as well tells structs from maps (a missing map key is &lt;no value&gt;,
/// a missing struct field an error) without reflection.
/// </summary>
/// <example>Template.Parse("{{.ID}} {{join .Names \",\"}}").Execute(JsonSerializer.SerializeToNode(report, ctx.Report), ctx.Report)</example>
public sealed class Template
{
    private Template(string name, SourceText source, Dictionary<string, ListNode> definitions)
    {
        Name = name;
        Source = source;
        Definitions = definitions;
    }

    /// <summary>The name errors are reported under ("template: NAME:1:2: ...").</summary>
    public string Name { get; }

    public string Text => Source.Text;

    internal SourceText Source { get; }

    internal IReadOnlyDictionary<string, ListNode> Definitions { get; }

    internal ListNode Root => Definitions[Name];

    /// <exception cref="TemplateException">The template does not parse; the message is Go's.</exception>
    public static Template Parse(string text, string name = "output")
    {
        var source = new SourceText(text);
        return new Template(name, source, Parser.Parse(source, name, Functions.Names));
    }

    /// <summary>Renders the template with <paramref name="data"/> as dot.</summary>
    /// <exception cref="TemplateException">Execution failed (a missing field, a bad argument...); the message is Go's.</exception>
    public string Execute(JsonNode? data, JsonTypeInfo? shape = null) => Execute(Value.From(data, Shape.Of(shape)));

    /// <summary>
    /// Renders the template as a table's header row: every field chain (.ID, .State.Status) stands for its column
    /// name, <paramref name="header"/>("ID"), ("State.Status"); by default the last field's words upper-cased.
    /// </summary>
    public string ExecuteHeader(Func<string, string>? header = null)
        => Execute(Value.HeaderOf(""), header ?? ReportTemplate.DefaultHeader);

    internal string Execute(Value root, Func<string, string>? header = null)
    {
        var sb = new StringBuilder();
        Evaluator.Execute(this, root, sb, header);
        return sb.ToString();
    }

    /// <summary>Every field chain read from dot or $ (".A.B" as "A.B"): the main template's, then its {{define}}d ones'.</summary>
    public IReadOnlyList<string> FieldPaths()
    {
        var paths = new List<string>();
        Collect(Root, paths);
        foreach (var (name, root) in Definitions)
            if (name != Name) Collect(root, paths);
        return paths.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void Collect(Node? node, List<string> paths)
    {
        switch (node)
        {
            case FieldNode field:
                paths.Add(string.Join('.', field.Ident));
                break;
            case VariableNode { Ident: ["$", .. var rest] } when rest.Length > 0:
                paths.Add(string.Join('.', rest));
                break;
            case ListNode list:
                foreach (var child in list.Nodes) Collect(child, paths);
                break;
            case ActionNode action:
                Collect(action.Pipe, paths);
                break;
            case PipeNode pipe:
                foreach (var cmd in pipe.Cmds) Collect(cmd, paths);
                break;
            case CommandNode cmd:
                foreach (var arg in cmd.Args) Collect(arg, paths);
                break;
            case ChainNode chain:
                Collect(chain.Node, paths);
                break;
            case BranchNode branch:
                Collect(branch.Pipe, paths);
                Collect(branch.List, paths);
                Collect(branch.ElseList, paths);
                break;
            case TemplateNode call:
                Collect(call.Pipe, paths);
                break;
        }
    }
}
