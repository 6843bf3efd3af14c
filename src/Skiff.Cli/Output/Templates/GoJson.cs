using System.Globalization;
using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// podman's "json" function: Go's encoding/json of a value, compact (or indented, for inspect's output), without
/// HTML escaping; a map's keys sorted, a struct's fields in order; floats as Go writes them (1.5, 1e+21, 1e-7).
/// </summary>
internal static class GoJson
{
    public static string Encode(Value value)
    {
        var sb = new StringBuilder();
        Write(sb, value, null, 0);
        return sb.ToString();
    }

    /// <summary>
    /// Go's json.MarshalIndent with an empty prefix (podman's inspect output indents by five spaces): one member
    /// or item a line, "key": value, empty lists and objects as [] and {}; no HTML escaping, as podman's encoder.
    /// </summary>
    public static string EncodeIndented(Value value, string indent)
    {
        var sb = new StringBuilder();
        Write(sb, value, indent, 0);
        return sb.ToString();
    }

    private static void NewLine(StringBuilder sb, string? indent, int depth)
    {
        if (indent is null) return;
        sb.Append('\n');
        for (int i = 0; i < depth; i++) sb.Append(indent);
    }

    private static void Write(StringBuilder sb, Value v, string? indent, int depth)
    {
        switch (v.Kind)
        {
            case ValueKind.Invalid:
            case ValueKind.List or ValueKind.Object when v.IsNil:
                sb.Append("null");
                break;
            case ValueKind.Bool:
                sb.Append(v.Bool ? "true" : "false");
                break;
            case ValueKind.Int:
                sb.Append(v.Int.ToString(CultureInfo.InvariantCulture));
                break;
            case ValueKind.Float:
                sb.Append(Float(v.Float));
                break;
            case ValueKind.String or ValueKind.Header:
                WriteString(sb, v.Str);
                break;
            case ValueKind.List:
                sb.Append('[');
                for (int i = 0; i < v.Items.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    NewLine(sb, indent, depth + 1);
                    Write(sb, v.Element(i), indent, depth + 1);
                }
                if (v.Items.Count > 0) NewLine(sb, indent, depth);
                sb.Append(']');
                break;
            case ValueKind.Object:
                sb.Append('{');
                bool first = true;
                var entries = v.Shape?.Kind == ShapeKind.Map ? v.Entries() : v.Object.Select(p => new KeyValuePair<string, Value>(p.Key, Value.From(p.Value, Value.FieldShape(v.Shape, p.Key))));
                foreach (var (key, item) in entries)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    NewLine(sb, indent, depth + 1);
                    WriteString(sb, key);
                    sb.Append(indent is null ? ":" : ": ");
                    Write(sb, item, indent, depth + 1);
                }
                if (!first) NewLine(sb, indent, depth);
                sb.Append('}');
                break;
        }
    }

    private static string Float(double f)
    {
        if (double.IsNaN(f) || double.IsInfinity(f)) return "null";
        double abs = Math.Abs(f);
        bool exponent = abs != 0 && (abs < 1e-6 || abs >= 1e21);
        string s = GoStrconv.FormatFloat(f, exponent ? 'e' : 'f', -1);
        if (exponent && s.Length >= 4 && s[^4] == 'e' && s[^3] == '-' && s[^2] == '0') s = s[..^2] + s[^1];
        return s;
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        const string hex = "0123456789abcdef";
        sb.Append('"');
        foreach (var r in s.EnumerateRunes())
        {
            switch (r.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case 0x2028 or 0x2029: sb.Append("\\u202").Append(hex[r.Value & 0xf]); break;
                case < ' ': sb.Append("\\u00").Append(hex[r.Value >> 4]).Append(hex[r.Value & 0xf]); break;
                default: sb.Append(r.ToString()); break;
            }
        }
        sb.Append('"');
    }
}
