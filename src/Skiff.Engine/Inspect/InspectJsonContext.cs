using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skiff.Engine.Inspect;

/// <summary>
/// The inspect reports' serialization metadata (source-generated; front ends use it to turn a report into JSON and to
/// tell a template's structs from its maps). Nulls are written, as podman writes them; times as Go writes them.
/// </summary>
[JsonSourceGenerationOptions(Converters = [typeof(GoTimeJsonConverter)])]
[JsonSerializable(typeof(InspectContainerData))]
[JsonSerializable(typeof(InspectImageData))]
public sealed partial class InspectJsonContext : JsonSerializerContext;

/// <summary>
/// A time as Go's encoding/json writes a time.Time: RFC 3339 with up to nanoseconds, trailing zeros dropped, UTC
/// as "Z" ("0001-01-01T00:00:00Z" for the zero time).
/// </summary>
public sealed class GoTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => DateTimeOffset.Parse(reader.GetString() ?? "", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value));
    }

    public static string Format(DateTimeOffset time)
    {
        string fraction = time.ToString("fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        string zone = time.Offset == TimeSpan.Zero ? "Z" : time.ToString("zzz", CultureInfo.InvariantCulture);
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + zone;
    }
}
