using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Skiff.Cli.Output.Templates;

internal enum ShapeKind { Struct, Map, List }

/// <summary>
/// What a JSON object or array was before it was serialized, read from System.Text.Json's source-generated
/// metadata (no reflection): a struct (a missing field is an error, it prints as {a b}), a map (a missing key
/// is &lt;no value&gt;, it prints as map[k:v] with sorted keys) or a list, and the Go-like name of its type.
/// </summary>
internal sealed class Shape
{
    public static readonly Shape StringList = new(ShapeKind.List, "[]string", info: null, element: null, elementType: typeof(string));

    private readonly JsonTypeInfo? _info;
    private readonly Type? _elementType;
    private Shape? _element;
    private bool _elementResolved;
    private Dictionary<string, Shape?>? _fields;

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

    /// <summary>A struct, a map or a list; null for scalars and for types the metadata does not describe.</summary>
    public static Shape? Of(JsonTypeInfo? info)
    {
        if (info is null) return null;
        return info.Kind switch
        {
            JsonTypeInfoKind.Object => new Shape(ShapeKind.Struct, info.Type.Name, info, null, null),
            JsonTypeInfoKind.Dictionary => new Shape(ShapeKind.Map, $"map[{GoName(info, info.KeyType)}]{GoName(info, info.ElementType)}", info, null, info.ElementType),
            JsonTypeInfoKind.Enumerable => new Shape(ShapeKind.List, "[]" + GoName(info, info.ElementType), info, null, info.ElementType),
            _ => null,
        };
    }

    /// <summary>A list of rows of one shape, as podman's templates receive a listing.</summary>
    public static Shape ListOf(Shape? element)
        => new(ShapeKind.List, "[]" + (element?.TypeName ?? "interface {}"), info: null, element, elementType: null) { _elementResolved = true };

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
