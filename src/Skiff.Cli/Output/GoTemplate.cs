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

    private static string Unescape(string s) => s.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
}
