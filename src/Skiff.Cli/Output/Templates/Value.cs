using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Cli.Output.Templates;

internal enum ValueKind
{
    /// <summary>Go's invalid reflect.Value: a missing key, JSON null, nil. Prints as &lt;no value&gt;.</summary>
    Invalid,
    Bool,
    Int,
    Float,
    String,
    List,
    Object,

    /// <summary>While a table's header row renders: the field chain that reached this value, shown as its column name.</summary>
    Header,
}

/// <summary>A value during execution: a Go scalar, or a JSON array or object with the shape it had before serialization.</summary>
internal readonly struct Value
{
    private readonly object? _ref;
    private readonly long _int;
    private readonly double _float;

    private Value(ValueKind kind, object? reference = null, long integer = 0, double real = 0, Shape? shape = null)
    {
        Kind = kind;
        _ref = reference;
        _int = integer;
        _float = real;
        Shape = shape;
    }

    public static Value Invalid => default;

    public ValueKind Kind { get; }

    public Shape? Shape { get; }

    public bool IsValid => Kind != ValueKind.Invalid;

    public bool Bool => _int != 0;

    public long Int => _int;

    public double Float => _float;

    /// <summary>The text of a string; for a header value, the field path.</summary>
    public string Str => (string)_ref!;

    public IList<JsonNode?> Items => (IList<JsonNode?>)_ref!;

    public JsonObject Object => (JsonObject)_ref!;

    /// <summary>A struct (as opposed to a map): its shape says so.</summary>
    public bool IsStruct => Kind == ValueKind.Object && Shape?.Kind == ShapeKind.Struct;

    /// <summary>A map: its shape says so, or nothing says otherwise.</summary>
    public bool IsMap => Kind == ValueKind.Object && Shape?.Kind != ShapeKind.Struct;

    public static Value Of(bool b) => new(ValueKind.Bool, integer: b ? 1 : 0);

    public static Value Of(long i) => new(ValueKind.Int, integer: i);

    public static Value Of(double f) => new(ValueKind.Float, real: f);

    public static Value Of(string s) => new(ValueKind.String, s);

    public static Value HeaderOf(string path) => new(ValueKind.Header, path);

    public static Value ListOf(IList<JsonNode?> items, Shape? shape) => new(ValueKind.List, items, shape: shape);

    public static Value ListOf(IEnumerable<string> items)
        => ListOf(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToList(), Shape.StringList);

    /// <summary>A nil map or slice of a typed report (JSON null where the shape says map or list): empty, but JSON's null.</summary>
    private static readonly JsonObject NilMap = [];
    private static readonly JsonArray NilList = [];

    /// <summary>A nil map or list: prints as map[] or [] (as Go's fmt), encodes as null (as Go's json).</summary>
    public bool IsNil => ReferenceEquals(_ref, NilMap) || ReferenceEquals(_ref, NilList);

    public static Value From(JsonNode? node, Shape? shape) => node switch
    {
        null when shape?.Kind == ShapeKind.Map => new Value(ValueKind.Object, NilMap, shape: shape),
        null when shape?.Kind == ShapeKind.List => ListOf(NilList, shape),
        null => Invalid,
        JsonObject o => new Value(ValueKind.Object, o, shape: shape?.Kind is ShapeKind.Struct or ShapeKind.Map ? shape : null),
        JsonArray a => ListOf(a, shape?.Kind == ShapeKind.List ? shape : null),
        JsonValue v => FromScalar(v, shape),
        _ => Invalid,
    };

    private static Value FromScalar(JsonValue v, Shape? shape)
    {
        switch (v.GetValueKind())
        {
            case JsonValueKind.String:
                string text = v.TryGetValue(out string? s) ? s : JsonNode.Parse(v.ToJsonString())!.GetValue<string>();
                return shape?.Kind == ShapeKind.Time ? new Value(ValueKind.String, text, shape: shape) : Of(text);
            case JsonValueKind.True:
                return Of(true);
            case JsonValueKind.False:
                return Of(false);
            case JsonValueKind.Number:
                return Number(v.ToJsonString());
            case JsonValueKind.Object or JsonValueKind.Array:
                return From(JsonNode.Parse(v.ToJsonString()), shape);
            default:
                return Invalid;
        }
    }

    /// <summary>A JSON number: an int when written without a fraction or exponent (and it fits), a float64 otherwise.</summary>
    private static Value Number(string text)
    {
        if (text.IndexOfAny(['.', 'e', 'E']) < 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long i))
            return Of(i);
        return Of(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    public int Count => Kind switch
    {
        ValueKind.List => Items.Count,
        ValueKind.Object => Object.Count,
        ValueKind.String => System.Text.Encoding.UTF8.GetByteCount(Str),
        _ => 0,
    };

    public Value Element(int index) => From(Items[index], Shape?.ElementAt(index));

    /// <summary>A time.Time (its RFC 3339 text, with the <see cref="Shape.Time"/> shape): prints as Go prints a time.</summary>
    public bool IsTime => Kind == ValueKind.String && Shape?.Kind == ShapeKind.Time;

    /// <summary>A struct's fields in order, a map's entries sorted by key (as Go's fmt and range visit them).</summary>
    public IEnumerable<KeyValuePair<string, Value>> Entries()
    {
        var shape = Shape;
        var entries = Object.Select(p => new KeyValuePair<string, Value>(p.Key, From(p.Value, FieldShape(shape, p.Key))));
        return IsStruct ? entries : entries.OrderBy(p => p.Key, StringComparer.Ordinal);
    }

    public static Shape? FieldShape(Shape? owner, string name) => owner?.Kind switch
    {
        ShapeKind.Struct => owner.TryGetField(name, out var field) ? field : null,
        ShapeKind.Map => owner.Element,
        _ => null,
    };

    /// <summary>Go's truth: not empty, not zero, not false, not nil; a struct is always true.</summary>
    public bool IsTrue => Kind switch
    {
        ValueKind.Bool or ValueKind.Int => _int != 0,
        ValueKind.Float => _float != 0,
        ValueKind.String or ValueKind.List => Count > 0,
        ValueKind.Object => IsStruct || Count > 0,
        ValueKind.Header => true,
        _ => false,
    };

    /// <summary>The Go type, as %T and error messages name it.</summary>
    public string GoType => Kind switch
    {
        ValueKind.Bool => "bool",
        ValueKind.Int => "int",
        ValueKind.Float => "float64",
        ValueKind.String when IsTime => "time.Time",
        ValueKind.String or ValueKind.Header => "string",
        ValueKind.List => Shape?.TypeName ?? "[]interface {}",
        ValueKind.Object => Shape?.TypeName ?? "map[string]interface {}",
        _ => "<nil>",
    };
}
