using System.Text.Json.Nodes;
using Skiff.Cli.Output.Templates;

namespace Skiff.Cli.Output;

/// <summary>
/// `--format` for verbs whose rows are still a field lookup (<c>Func&lt;string, string?&gt;</c>, "ID" or
/// "Client.Version" to its text): the template runs on the Go template engine in Templates/ over an object
/// built from the field chains it reads. A field the lookup does not know is Go's "can't evaluate field" error,
/// thrown as a plain FormatException as this API always has (the engine's TemplateException is its inner exception).
/// </summary>
public static partial class GoTemplate
{
    public static bool IsTable(string format) => format.StartsWith("table", StringComparison.Ordinal);

    public static string Body(string format) => IsTable(format) ? format[5..].TrimStart() : format;

    /// <summary>Renders one row, "\t" and "\n" typed literally becoming tab and newline.</summary>
    /// <exception cref="FormatException">The template does not parse or reads an unknown field.</exception>
    public static string Render(string template, Func<string, string?> field) => Run(() =>
    {
        var parsed = Template.Parse(Unescape(template));
        return parsed.Execute(Fields(parsed.FieldPaths(), field));
    });

    /// <summary>The header row of a "table" format: each field chain becomes its header.</summary>
    public static string Header(string template, Func<string, string> header)
        => Run(() => Template.Parse(Unescape(template)).ExecuteHeader(header));

    /// <summary>
    /// A listing as podman prints one: each row through the template; with "table ", a header row and
    /// columns aligned at the tabs (podman's report rules, <see cref="ReportTemplate"/>).
    /// </summary>
    /// <param name="verb">With <paramref name="rowType"/>, podman's names in errors: the template is named after the
    /// verb ("ps"), its first line's columns counted as in podman's "{{range .}}FORMAT{{end -}}", and a row's type is
    /// podman's ("containers.psReporter").</param>
    public static string RenderRows(string template, IEnumerable<Func<string, string?>> rows, Func<string, string> header, bool noHeading = false,
        string? verb = null, string? rowType = null)
    {
        try
        {
            return Run(() =>
            {
                var report = ReportTemplate.Parse(template);
                var paths = report.Template.FieldPaths();
                return report.Render(rows.Select(field => (JsonNode?)Fields(paths, field)), header: header, noHeading: noHeading);
            });
        }
        catch (FormatException e) when (verb is not null)
        {
            throw new FormatException(AsPodmans(e.Message, verb, rowType), e.InnerException);
        }
    }

    /// <summary>"template: output:1:2: executing "output" at &lt;.X&gt;: ... in type object" in podman's words for <paramref name="verb"/>.</summary>
    internal static string AsPodmans(string message, string verb, string? rowType)
    {
        const int RangePrefix = 11; // "{{range .}}"
        var m = ExecutionError().Match(message);
        if (!m.Success) return message.Replace("template: output:", $"template: {verb}:", StringComparison.Ordinal);
        int line = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        int column = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + (line == 1 ? RangePrefix : 0);
        string rest = message[m.Length..];
        if (rowType is not null && rest.EndsWith(" in type object", StringComparison.Ordinal)) rest = rest[..^"object".Length] + rowType;
        return $"template: {verb}:{line}:{column}: executing \"{verb}\"{rest}";
    }

    [System.Text.RegularExpressions.GeneratedRegex("^template: output:(\\d+):(\\d+): executing \"output\"")]
    private static partial System.Text.RegularExpressions.Regex ExecutionError();

    private static string Run(Func<string> render)
    {
        try
        {
            return render();
        }
        catch (TemplateException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>The object a row's template reads: each known field chain's text at its path ("A.B" as {"A":{"B":...}}).</summary>
    private static JsonObject Fields(IReadOnlyList<string> paths, Func<string, string?> field)
    {
        var root = new JsonObject();
        foreach (string path in paths.OrderBy(p => p.Count(c => c == '.')))
            if (field(path) is { } text) Set(root, path.Split('.'), text);
        return root;
    }

    private static void Set(JsonObject root, string[] parts, string text)
    {
        var target = root;
        foreach (string part in parts[..^1])
        {
            if (!target.TryGetPropertyValue(part, out var next)) target[part] = next = new JsonObject();
            if (next is not JsonObject inner) return; // a shorter chain already holds text here
            target = inner;
        }
        target.TryAdd(parts[^1], text);
    }

    private static string Unescape(string s) => s.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
}
