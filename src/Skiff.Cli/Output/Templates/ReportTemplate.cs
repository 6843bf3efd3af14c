using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// A --format value as podman's report package reads it (containers/common/pkg/report): "\t" and "\n" typed
/// literally become a tab and a newline, a newline ends the format if it has none, and a format starting with
/// "table " renders a header row then one row per item, every space becoming a tab, laid out in columns
/// by Go's tabwriter. A format that ranges over "." itself receives the whole list at once.
/// </summary>
public sealed partial class ReportTemplate
{
    private const string TablePrefix = "table ";

    private readonly bool _rangesOverRows;

    private ReportTemplate(Template template, bool isTable, bool rangesOverRows)
    {
        Template = template;
        IsTable = isTable;
        _rangesOverRows = rangesOverRows;
    }

    /// <summary>The format started with "table ": a header row and aligned columns.</summary>
    public bool IsTable { get; }

    /// <summary>The template as parsed, after the normalization.</summary>
    public Template Template { get; }

    /// <exception cref="TemplateException">The format does not parse.</exception>
    public static ReportTemplate Parse(string format, string name = "output")
    {
        bool table = format.StartsWith(TablePrefix, StringComparison.Ordinal);
        string text = Normalize(format);
        return new ReportTemplate(Template.Parse(text, name), table, !table && RangeOverDot().IsMatch(text));
    }

    /// <summary>
    /// podman's NormalizeFormat: literal "\t" and "\n" escapes become tab and newline; for a table the "table "
    /// keyword goes and every space becomes a tab; a trailing newline is added when missing.
    /// </summary>
    public static string Normalize(string format)
    {
        bool table = format.StartsWith(TablePrefix, StringComparison.Ordinal);
        var sb = new StringBuilder(format.Length + 1);
        for (int i = 0; i < format.Length; i++)
        {
            if (table && string.CompareOrdinal(format, i, TablePrefix, 0, TablePrefix.Length) == 0)
                i += TablePrefix.Length - 1;
            else if (format[i] == '\\' && i + 1 < format.Length && format[i + 1] is 't' or 'n')
                sb.Append(format[++i] == 't' ? '\t' : '\n');
            else if (table && format[i] == ' ')
                sb.Append('\t');
            else
                sb.Append(format[i]);
        }
        if (sb.Length == 0 || sb[^1] != '\n') sb.Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// A listing: each row through the template (or the whole list at once when the format ranges over "."),
    /// and for a table the header row first and the columns aligned.
    /// </summary>
    /// <param name="header">A field chain's column name ("ID" → "CONTAINER ID"); default <see cref="DefaultHeader"/>.</param>
    /// <exception cref="TemplateException">A row fails to render.</exception>
    public string Render(IEnumerable<JsonNode?> rows, JsonTypeInfo? rowShape = null, Func<string, string>? header = null, bool noHeading = false)
    {
        var shape = Shape.Of(rowShape);
        var items = rows.ToList();
        if (_rangesOverRows) return Template.Execute(Value.ListOf(items, Shape.ListOf(shape)));
        var sb = new StringBuilder();
        if (IsTable && !noHeading) sb.Append(Template.ExecuteHeader(header));
        foreach (var row in items) sb.Append(Template.Execute(Value.From(row, shape)));
        return IsTable ? TabWriter.Format(sb.ToString()) : sb.ToString();
    }

    /// <summary>One object (version, info): the template once, with a header row first for a table.</summary>
    public string RenderOne(JsonNode? data, JsonTypeInfo? shape = null, Func<string, string>? header = null, bool noHeading = false)
    {
        if (!IsTable) return Template.Execute(data, shape);
        string text = (noHeading ? "" : Template.ExecuteHeader(header)) + Template.Execute(data, shape);
        return TabWriter.Format(text);
    }

    /// <summary>
    /// podman's column name for a field: the last field's words (split where the case changes) upper-cased:
    /// ID → ID, CreatedAt → CREATED AT, State.Status → STATUS.
    /// </summary>
    public static string DefaultHeader(string fieldPath)
    {
        string name = fieldPath[(fieldPath.LastIndexOf('.') + 1)..];
        return string.Join(' ', CamelCaseWords(name)).ToUpperInvariant();
    }

    /// <summary>fatih/camelcase's Split, as podman's report.Headers uses it: "PDFLoader" → PDF, Loader.</summary>
    public static IReadOnlyList<string> CamelCaseWords(string s)
    {
        var runs = new List<List<Rune>>();
        int lastClass = 0;
        foreach (var r in s.EnumerateRunes())
        {
            int cls = Rune.IsLower(r) ? 1 : Rune.IsUpper(r) ? 2 : Rune.IsDigit(r) ? 3 : 4;
            if (cls == lastClass) runs[^1].Add(r);
            else runs.Add([r]);
            lastClass = cls;
        }
        // An upper-case run followed by a lower-case one gives its last letter to the next word.
        for (int i = 0; i < runs.Count - 1; i++)
        {
            if (Rune.IsUpper(runs[i][0]) && Rune.IsLower(runs[i + 1][0]))
            {
                runs[i + 1].Insert(0, runs[i][^1]);
                runs[i].RemoveAt(runs[i].Count - 1);
            }
        }
        return runs.Where(run => run.Count > 0).Select(run => string.Concat(run.Select(r => r.ToString()))).ToList();
    }

    [GeneratedRegex(@"{{\s*range\s*\.\s*}}.*{{\s*end\s*-?\s*}}")]
    private static partial Regex RangeOverDot();
}
