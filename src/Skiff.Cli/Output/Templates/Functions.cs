using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>What a function's parameter accepts; Go's evaluator checks arguments against it.</summary>
internal enum ParamKind { Any, String, Int, StringList }

/// <summary>A function failed: the evaluator reports "error calling NAME: MESSAGE".</summary>
internal sealed class FunctionException(string message) : Exception(message);

internal sealed record Function(string Name, ParamKind[] Fixed, ParamKind? Variadic, Func<Value[], Value> Call)
{
    public ParamKind ParamAt(int index) => index < Fixed.Length ? Fixed[index] : Variadic ?? ParamKind.Any;

    public static string GoName(ParamKind kind) => kind switch
    {
        ParamKind.String => "string",
        ParamKind.Int => "int",
        ParamKind.StringList => "[]string",
        _ => "interface {}",
    };
}

/// <summary>
/// Go's builtin template functions (and, or, not, len, index, slice, eq, ne, lt, le, gt, ge, print, printf,
/// println, html, js, urlquery) and podman's (json, join, lower, upper, title, split, truncate, pad), plus
/// contains (strings.Contains).
/// </summary>
internal static class Functions
{
    private const ParamKind Any = ParamKind.Any;
    private const ParamKind Str = ParamKind.String;
    private const ParamKind Int = ParamKind.Int;

    public static readonly FrozenDictionary<string, Function> All = new Function[]
    {
        // and/or are evaluated lazily by the evaluator; these bodies are not called.
        new("and", [Any], Any, a => a[^1]),
        new("or", [Any], Any, a => a[^1]),
        new("not", [Any], null, a => Value.Of(!a[0].IsTrue)),
        new("len", [Any], null, a => Value.Of((long)Length(a[0]))),
        new("index", [Any], Any, a => Index(a[0], a[1..])),
        new("slice", [Any], Any, a => Slice(a[0], a[1..])),
        new("eq", [Any], Any, a => Value.Of(Equal(a[0], a[1..]))),
        new("ne", [Any, Any], null, a => Value.Of(!Equal(a[0], a[1..]))),
        new("lt", [Any, Any], null, a => Value.Of(Less(a[0], a[1]))),
        new("le", [Any, Any], null, a => Value.Of(Less(a[0], a[1]) || Equal(a[0], a[1..]))),
        new("gt", [Any, Any], null, a => Value.Of(!(Less(a[0], a[1]) || Equal(a[0], a[1..])))),
        new("ge", [Any, Any], null, a => Value.Of(!Less(a[0], a[1]))),
        new("print", [], Any, a => Value.Of(GoFmt.Sprint(a))),
        new("printf", [Str], Any, a => Value.Of(GoFmt.Sprintf(a[0].Str, a[1..]))),
        new("println", [], Any, a => Value.Of(GoFmt.Sprintln(a))),
        new("html", [], Any, a => Value.Of(Html(Text(a)))),
        new("js", [], Any, a => Value.Of(JavaScript(Text(a)))),
        new("urlquery", [], Any, a => Value.Of(QueryEscape(Text(a)))),
        new("json", [Any], null, a => Value.Of(GoJson.Encode(a[0]))),
        new("join", [ParamKind.StringList, Str], null, a => Value.Of(a[0].IsValid ? string.Join(a[1].Str, Strings(a[0])) : "")),
        new("lower", [Str], null, a => Value.Of(a[0].Str.ToLowerInvariant().Replace('\u0130', 'i'))), // Go's simple case mapping: İ → i
        new("upper", [Str], null, a => Value.Of(a[0].Str.ToUpperInvariant().Replace('\u0131', 'I').Replace('\u017f', 'S'))), // ı → I, ſ → S
        new("title", [Str], null, a => Value.Of(Title(a[0].Str))),
        new("split", [Str, Str], null, a => Value.ListOf(Split(a[0].Str, a[1].Str))),
        new("truncate", [Str, Int], null, a => Value.Of(Truncate(a[0].Str, a[1].Int))),
        new("pad", [Str, Int, Int], null, a => Value.Of(Pad(a[0].Str, a[1].Int, a[2].Int))),
        new("contains", [Str, Str], null, a => Value.Of(a[0].Str.Contains(a[1].Str, StringComparison.Ordinal))),
    }.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    public static readonly IReadOnlySet<string> Names = All.Keys.ToFrozenSet(StringComparer.Ordinal);

    private static IEnumerable<string> Strings(Value list) => Enumerable.Range(0, list.Items.Count).Select(i => list.Element(i).Str);

    private static int Length(Value item) => item.Kind switch
    {
        ValueKind.Invalid => throw new FunctionException("reflect: call of reflect.Value.Type on zero Value"), // Go's words for len nil
        ValueKind.List or ValueKind.String => item.Count,
        ValueKind.Object when !item.IsStruct => item.Count,
        _ => throw new FunctionException($"len of type {item.GoType}"),
    };

    private static int IndexArg(Value index, int cap)
    {
        long x = index.Kind switch
        {
            ValueKind.Int => index.Int,
            ValueKind.Invalid => throw new FunctionException("cannot index slice/array with nil"),
            _ => throw new FunctionException($"cannot index slice/array with type {index.GoType}"),
        };
        if (x < 0 || x > cap) throw new FunctionException($"index out of range: {x}");
        return (int)x;
    }

    private static Value Index(Value item, Value[] indexes)
    {
        if (!item.IsValid) throw new FunctionException("index of untyped nil");
        foreach (var index in indexes)
        {
            switch (item.Kind)
            {
                case ValueKind.Invalid:
                    throw new FunctionException("index of nil pointer");
                case ValueKind.List:
                    int i = IndexArg(index, item.Items.Count);
                    if (i == item.Items.Count) throw new FunctionException("reflect: slice index out of range");
                    item = item.Element(i);
                    break;
                case ValueKind.String:
                    var bytes = Encoding.UTF8.GetBytes(item.Str);
                    int b = IndexArg(index, bytes.Length);
                    if (b == bytes.Length) throw new FunctionException("reflect: string index out of range");
                    item = Value.Of((long)bytes[b]);
                    break;
                case ValueKind.Object when !item.IsStruct:
                    if (index.Kind != ValueKind.String)
                        throw new FunctionException(index.IsValid ? $"value has type {index.GoType}; should be string" : "value is nil; should be of type string");
                    item = item.Object.TryGetPropertyValue(index.Str, out var node)
                        ? Value.From(node, Value.FieldShape(item.Shape, index.Str))
                        : item.Shape?.ZeroElement() ?? Value.Invalid;
                    break;
                default:
                    throw new FunctionException($"can't index item of type {item.GoType}");
            }
        }
        return item;
    }

    private static Value Slice(Value item, Value[] indexes)
    {
        if (!item.IsValid) throw new FunctionException("slice of untyped nil");
        if (indexes.Length > 3) throw new FunctionException($"too many slice indexes: {indexes.Length}");
        int length;
        byte[]? bytes = null;
        switch (item.Kind)
        {
            case ValueKind.String:
                if (indexes.Length == 3) throw new FunctionException("cannot 3-index slice a string");
                bytes = Encoding.UTF8.GetBytes(item.Str);
                length = bytes.Length;
                break;
            case ValueKind.List:
                length = item.Items.Count;
                break;
            default:
                throw new FunctionException($"can't slice item of type {item.GoType}");
        }
        int[] idx = [0, length, length];
        for (int i = 0; i < indexes.Length; i++) idx[i] = IndexArg(indexes[i], length);
        if (idx[0] > idx[1]) throw new FunctionException($"invalid slice index: {idx[0]} > {idx[1]}");
        if (indexes.Length == 3 && idx[1] > idx[2]) throw new FunctionException($"invalid slice index: {idx[1]} > {idx[2]}");
        if (bytes is not null) return Value.Of(Encoding.UTF8.GetString(bytes, idx[0], idx[1] - idx[0]));
        return Value.ListOf(item.Items.Skip(idx[0]).Take(idx[1] - idx[0]).ToList(), item.Shape);
    }

    private enum Basic { Invalid, Bool, Int, Float, String, Other }

    private static Basic BasicKind(Value v) => v.Kind switch
    {
        ValueKind.Invalid => Basic.Invalid,
        ValueKind.Bool => Basic.Bool,
        ValueKind.Int => Basic.Int,
        ValueKind.Float => Basic.Float,
        ValueKind.String or ValueKind.Header => Basic.String,
        _ => Basic.Other,
    };

    private static bool IsNumber(Basic k) => k is Basic.Int or Basic.Float;

    private static double Number(Value v) => v.Kind == ValueKind.Int ? v.Int : v.Float;

    /// <summary>Go's eq: arg1 equals any of the others; ints and floats compare by value (Go would refuse).</summary>
    private static bool Equal(Value arg1, Value[] others)
    {
        if (others.Length == 0) throw new FunctionException("missing argument for comparison");
        var k1 = BasicKind(arg1);
        foreach (var arg in others)
        {
            var k2 = BasicKind(arg);
            bool truth;
            if (k1 != k2)
            {
                if (IsNumber(k1) && IsNumber(k2)) truth = Number(arg1) == Number(arg);
                else if (arg1.IsValid && arg.IsValid) throw new FunctionException("incompatible types for comparison");
                else truth = false;
            }
            else
            {
                truth = k1 switch
                {
                    Basic.Invalid => true,
                    Basic.Bool => arg1.Bool == arg.Bool,
                    Basic.Int => arg1.Int == arg.Int,
                    Basic.Float => arg1.Float == arg.Float,
                    Basic.String => arg1.Str == arg.Str,
                    _ when arg1.IsStruct && arg.IsStruct => GoJson.Encode(arg1) == GoJson.Encode(arg),
                    _ => throw new FunctionException($"non-comparable type {GoFmt.Print(arg1)}: {arg1.GoType}"),
                };
            }
            if (truth) return true;
        }
        return false;
    }

    private static bool Less(Value arg1, Value arg2)
    {
        var k1 = BasicKind(arg1);
        var k2 = BasicKind(arg2);
        if (k1 is Basic.Invalid or Basic.Other || k2 is Basic.Invalid or Basic.Other) throw new FunctionException("invalid type for comparison");
        if (k1 != k2)
        {
            if (IsNumber(k1) && IsNumber(k2)) return Number(arg1) < Number(arg2);
            throw new FunctionException("incompatible types for comparison");
        }
        return k1 switch
        {
            Basic.Int => arg1.Int < arg2.Int,
            Basic.Float => arg1.Float < arg2.Float,
            Basic.String => string.CompareOrdinal(arg1.Str, arg2.Str) < 0,
            _ => throw new FunctionException("invalid type for comparison"),
        };
    }

    /// <summary>The text html, js and urlquery escape: a lone string as is, otherwise fmt.Sprint of the arguments.</summary>
    private static string Text(Value[] args) => args.Length == 1 && args[0].Kind == ValueKind.String ? args[0].Str : GoFmt.Sprint(args);

    private static string Html(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                '"' => "&#34;",
                '\'' => "&#39;",
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '\0' => "\uFFFD",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    private static string JavaScript(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var r in s.EnumerateRunes())
        {
            switch (r.Value)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                case '"': sb.Append("\\\""); break;
                case '<': sb.Append("\\u003C"); break;
                case '>': sb.Append("\\u003E"); break;
                case '&': sb.Append("\\u0026"); break;
                case '=': sb.Append("\\u003D"); break;
                case < ' ': sb.Append("\\u00").Append(r.Value.ToString("X2", CultureInfo.InvariantCulture)); break;
                case < 0x80: sb.Append((char)r.Value); break;
                default:
                    if (GoStrconv.IsPrint(r)) sb.Append(r.ToString());
                    else sb.Append("\\u").Append(r.Value.ToString("X4", CultureInfo.InvariantCulture));
                    break;
            }
        }
        return sb.ToString();
    }

    private static string QueryEscape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~') sb.Append((char)b);
            else if (b == ' ') sb.Append('+');
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>strings.Title: the first letter of each word upper-cased (words split at non-letters, non-digits, non-"_").</summary>
    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var previous = new Rune(' ');
        foreach (var r in s.EnumerateRunes())
        {
            sb.Append((IsSeparator(previous) ? ToTitle(r) : r).ToString());
            previous = r;
        }
        return sb.ToString();
    }

    /// <summary>unicode.ToTitle: upper case, except the digraphs DŽ, LJ, NJ, DZ, whose title case is Dž, Lj, Nj, Dz.</summary>
    private static Rune ToTitle(Rune r) => r.Value switch
    {
        >= 0x1c4 and <= 0x1c6 => new Rune(0x1c5),
        >= 0x1c7 and <= 0x1c9 => new Rune(0x1c8),
        >= 0x1ca and <= 0x1cc => new Rune(0x1cb),
        >= 0x1f1 and <= 0x1f3 => new Rune(0x1f2),
        _ => Rune.ToUpperInvariant(r),
    };

    private static bool IsSeparator(Rune r)
    {
        if (r.Value <= 0x7f) return !(char.IsAsciiLetterOrDigit((char)r.Value) || r.Value == '_');
        if (Rune.IsLetter(r) || Rune.IsDigit(r)) return false;
        return Rune.IsWhiteSpace(r);
    }

    private static IEnumerable<string> Split(string s, string separator)
        => separator.Length == 0 ? s.EnumerateRunes().Select(r => r.ToString()) : s.Split(separator);

    /// <summary>podman's truncate: the first N bytes, or the string when it is shorter.</summary>
    private static string Truncate(string s, long length)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        if (bytes.Length < length) return s;
        if (length < 0) throw new FunctionException($"runtime error: slice bounds out of range [:{length}]");
        return Encoding.UTF8.GetString(bytes, 0, (int)length);
    }

    /// <summary>podman's pad: spaces before and after a string that is not empty.</summary>
    private static string Pad(string s, long prefix, long suffix)
    {
        if (s.Length == 0) return s;
        if (prefix < 0 || suffix < 0) throw new FunctionException("strings: negative Repeat count");
        return new string(' ', (int)prefix) + s + new string(' ', (int)suffix);
    }
}
