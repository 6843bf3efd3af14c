using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Skiff.Cli.Output.Templates;

internal enum ShapeKind { Struct, Map, List, Time }

/// <summary>
/// What a JSON object or array was before it was serialized, read from System.Text.Json's source-generated
/// metadata (no reflection): a struct (a missing field is an error, it prints as {a b}), a map (a missing key
/// is &lt;no value&gt;, it prints as map[k:v] with sorted keys), a list, or a time (a DateTime or DateTimeOffset:
/// serialized as RFC 3339 text, printed as Go's time.Time prints), and the Go-like name of its type.
/// </summary>
internal sealed class Shape
{
    public static readonly Shape StringList = new(ShapeKind.List, "[]string", info: null, element: null, elementType: typeof(string));

    private readonly JsonTypeInfo? _info;
    private readonly Type? _elementType;
    private Shape? _element;
    private bool _elementResolved;
    private Dictionary<string, Shape?>? _fields;
    private IReadOnlyList<Shape?>? _items;

    private Shape(ShapeKind kind, string typeName, JsonTypeInfo? info, Shape? element, Type? elementType)
    {
        Kind = kind;
        TypeName = typeName;
        _info = info;
        _element = element;
        _elementResolved = element is not null;
        _elementType = elementType;
    }

    public ShapeKind Kind { get; }

    /// <summary>For error messages and %T: the .NET type's name for a struct, map[string]T or []T otherwise.</summary>
    public string TypeName { get; }

    /// <summary>A struct, a map, a list or a time; null for other scalars and for types the metadata does not describe.</summary>
    public static Shape? Of(JsonTypeInfo? info)
    {
        if (info is null) return null;
        return info.Kind switch
        {
            JsonTypeInfoKind.None when IsTime(info.Type) => Time,
            JsonTypeInfoKind.Object => new Shape(ShapeKind.Struct, info.Type.Name, info, null, null),
            JsonTypeInfoKind.Dictionary => new Shape(ShapeKind.Map, $"map[{GoName(info, info.KeyType)}]{GoName(info, info.ElementType)}", info, null, info.ElementType),
            JsonTypeInfoKind.Enumerable => new Shape(ShapeKind.List, "[]" + GoName(info, info.ElementType), info, null, info.ElementType),
            _ => null,
        };
    }

    /// <summary>A list of rows of one shape, as podman's templates receive a listing.</summary>
    public static Shape ListOf(Shape? element)
        => new(ShapeKind.List, "[]" + (element?.TypeName ?? "interface {}"), info: null, element, elementType: null) { _elementResolved = true };

    /// <summary>A time.Time: its JSON text prints as Go prints a time ("2024-01-02 03:04:05 +0000 UTC").</summary>
    public static readonly Shape Time = new(ShapeKind.Time, "time.Time", info: null, element: null, elementType: null);

    /// <summary>
    /// A list whose items each have their own shape (podman's inspect of containers and images at once: a
    /// []interface {}); <paramref name="itemTypeName"/> renames each item's type in messages, as Go names an item
    /// reached through an interface ("can't evaluate field X in type interface {}").
    /// </summary>
    public static Shape ListOfEach(IReadOnlyList<Shape?> items, string? itemTypeName = null)
        => new(ShapeKind.List, "[]interface {}", info: null, element: null, elementType: null)
        {
            _elementResolved = true,
            _items = itemTypeName is null ? items : [.. items.Select(i => i?.Renamed(itemTypeName))],
        };

    /// <summary>The same shape under another type name (for error messages and %T).</summary>
    public Shape Renamed(string typeName)
        => new(Kind, typeName, _info, _element, _elementType) { _elementResolved = _elementResolved, _items = _items };

    /// <summary>The shape of item <paramref name="index"/> of a list.</summary>
    public Shape? ElementAt(int index) => _items is { } items ? index < items.Count ? items[index] : null : Element;

    private static bool IsTime(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(DateTime) || t == typeof(DateTimeOffset);
    }

    /// <summary>The shape of a list's elements or a map's values.</summary>
    public Shape? Element
    {
        get
        {
            if (!_elementResolved)
            {
                _element = _info is null ? null : Of(Resolve(_info, _info.ElementType));
                _elementResolved = true;
            }
            return _element;
        }
    }

    /// <summary>Whether a struct declares the field (by its JSON name), and the field's shape.</summary>
    public bool TryGetField(string name, out Shape? shape)
    {
        shape = null;
        if (Kind != ShapeKind.Struct || _info is null) return false;
        _fields ??= [];
        if (_fields.TryGetValue(name, out shape)) return true;
        var property = _info.Properties.FirstOrDefault(p => p.Name == name);
        if (property is null) return false;
        shape = Of(Resolve(_info, property.PropertyType));
        _fields[name] = shape;
        return true;
    }

    /// <summary>
    /// The JSON name of a struct field a template names by its Go name, where the two differ as Go's json tags
    /// make them differ: "SdNotifyMode" for "sdNotifyMode", "CreatedBy" for "created_by", "ID" for "Id".
    /// Null when no declared field answers to it.
    /// </summary>
    public string? JsonNameOf(string goName)
    {
        if (Kind != ShapeKind.Struct || _info is null || goName.Length == 0 || !char.IsAsciiLetterUpper(goName[0])) return null;
        string lowerFirst = char.ToLowerInvariant(goName[0]) + goName[1..];
        string snake = string.Concat(goName.Select((c, i) => char.IsAsciiLetterUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
        string id = goName.EndsWith("ID", StringComparison.Ordinal) ? goName[..^1] + "d" : goName;
        foreach (string candidate in new[] { lowerFirst, snake, id })
            if (candidate != goName && _info.Properties.Any(p => p.Name == candidate)) return candidate;
        return null;
    }

    /// <summary>Go's zero value of a map's value type, which "index" returns for a missing key.</summary>
    public Value ZeroElement()
    {
        var t = _elementType is null ? null : Nullable.GetUnderlyingType(_elementType) is null ? _elementType : null;
        if (t == typeof(string)) return Value.Of("");
        if (t == typeof(bool)) return Value.Of(false);
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return Value.Of(0.0);
        if (t is not null && (t == typeof(int) || t == typeof(long) || t == typeof(uint) || t == typeof(ulong)
            || t == typeof(short) || t == typeof(ushort) || t == typeof(byte) || t == typeof(sbyte)))
            return Value.Of(0L);
        return Value.Invalid;
    }

    private static JsonTypeInfo? Resolve(JsonTypeInfo owner, Type? type)
    {
        if (type is null) return null;
        try
        {
            return owner.Options.GetTypeInfo(type);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static string GoName(JsonTypeInfo owner, Type? type)
    {
        if (type is null) return "interface {}";
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null) return "*" + GoName(owner, underlying);
        if (type == typeof(string)) return "string";
        if (type == typeof(bool)) return "bool";
        if (type == typeof(int)) return "int";
        if (type == typeof(long)) return "int64";
        if (type == typeof(uint)) return "uint32";
        if (type == typeof(ulong)) return "uint64";
        if (type == typeof(double) || type == typeof(decimal)) return "float64";
        if (type == typeof(float)) return "float32";
        if (type == typeof(object) || typeof(JsonNode).IsAssignableFrom(type)) return "interface {}";
        var info = Resolve(owner, type);
        return info is null ? type.Name : Of(info)?.TypeName ?? type.Name;
    }
}
