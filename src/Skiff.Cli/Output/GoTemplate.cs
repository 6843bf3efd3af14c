using System.Text;

namespace Skiff.Cli.Output;

/// <summary>
/// The subset of Go templates that `--format` is used with in practice: literal text, {{.Field}} and
/// {{ .Field }}, "\t" and "\n" escapes, and a leading "table " that adds a header row.
/// </summary>
public static class GoTemplate
{
    public static bool IsTable(string format) => format.StartsWith("table", StringComparison.Ordinal);

    public static string Body(string format) => IsTable(format) ? format[5..].TrimStart() : format;

    /// <summary>Renders one row; unknown fields are an error naming the field, as Go's template would be.</summary>
    public static string Render(string template, Func<string, string?> field)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < template.Length)
        {
            int open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0) { sb.Append(Unescape(template[i..])); break; }
            sb.Append(Unescape(template[i..open]));
            int close = template.IndexOf("}}", open, StringComparison.Ordinal);
            if (close < 0) throw new FormatException($"template: unclosed action in \"{template}\"");
            string action = template[(open + 2)..close].Trim();
            if (!action.StartsWith('.') || action.Length < 2)
                throw new FormatException($"template: unsupported action \"{{{{{action}}}}}\": only {{{{.Field}}}} is supported");
            string name = action[1..];
            sb.Append(field(name) ?? throw new FormatException($"template: can't evaluate field {name}"));
            i = close + 2;
        }
        return sb.ToString();
    }

    /// <summary>The header row of a "table" format: each {{.Field}} becomes the field's header.</summary>
    public static string Header(string template, Func<string, string> header)
        => Render(template, name => header(name));

    /// <summary>
    /// A listing as podman prints one: each row through the template; with "table", a header row and
    /// columns aligned at the tabs.
    /// </summary>
    public static string RenderRows(string template, IEnumerable<Func<string, string?>> rows, Func<string, string> header, bool noHeading = false)
    {
        string body = Body(template);
        if (!IsTable(template))
            return string.Concat(rows.Select(field => Render(body, field) + "\n"));
        var cells = new List<IReadOnlyList<string>>();
        if (!noHeading) cells.Add(Header(body, header).Split('\t'));
        cells.AddRange(rows.Select(field => Render(body, field).Split('\t')));
        return Table.Format(cells);
    }

    private static string Unescape(string s) => s.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
}
