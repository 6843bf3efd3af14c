using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Skiff.Engine.Events;

/// <summary>The kinds of object an event is about (podman's event Type).</summary>
public static class EventTypes
{
    public const string Container = "container", Image = "image", Volume = "volume", Pod = "pod", Network = "network", System = "system";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Container, Image, Volume, Pod, Network, System };
}

/// <summary>
/// One event as podman's file backend records it: a JSON object per line with podman's field names and order
/// (ContainerExitCode only when not 0, ID, Image, Name, Status, Time in RFC 3339 with nanoseconds, Type,
/// Attributes: the container's labels).
/// </summary>
public sealed record EngineEvent(
    string Type, string Status, DateTimeOffset Time, string? Id = null, string? Name = null, string? Image = null,
    IReadOnlyDictionary<string, string>? Attributes = null, int ContainerExitCode = 0)
{
    /// <summary>The line written to the events file (no newline).</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (ContainerExitCode != 0) w.WriteNumber("ContainerExitCode", ContainerExitCode);
            if (!string.IsNullOrEmpty(Id)) w.WriteString("ID", Id);
            if (!string.IsNullOrEmpty(Image)) w.WriteString("Image", Image);
            if (!string.IsNullOrEmpty(Name)) w.WriteString("Name", Name);
            w.WriteString("Status", Status);
            w.WriteString("Time", FormatRfc3339(Time));
            w.WriteString("Type", Type);
            if (Attributes is null)
            {
                w.WriteNull("Attributes");
            }
            else
            {
                w.WriteStartObject("Attributes");
                foreach (var (k, v) in Attributes.OrderBy(a => a.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a line of the events file; null when it is not an event (a torn or foreign line).</summary>
    public static EngineEvent? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!root.TryGetProperty("Status", out var status) || status.ValueKind != JsonValueKind.String) return null;
            if (!root.TryGetProperty("Time", out var time) || time.ValueKind != JsonValueKind.String) return null;
            if (!DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return null;
            Dictionary<string, string>? attributes = null;
            if (root.TryGetProperty("Attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Object)
            {
                attributes = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var p in attrs.EnumerateObject()) attributes[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
            return new EngineEvent(
                Str(root, "Type") ?? "", status.GetString()!, t, Str(root, "ID"), Str(root, "Name"), Str(root, "Image"), attributes,
                root.TryGetProperty("ContainerExitCode", out var code) && code.TryGetInt32(out int c) ? c : 0);
        }
        catch (JsonException)
        {
            // A line torn by a writer that died mid-write has the next writer's whole line after it.
            int next = line.IndexOf("{\"", 1, StringComparison.Ordinal);
            return next > 0 ? Parse(line[next..]) : null;
        }
    }

    private static string? Str(JsonElement root, string name)
        => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// podman's default line (Go's time.String, then the type, status and id; containers add image, name and
    /// labels): <c>2026-12-02 01:02:03.123456789 +0000 UTC container start ID (image=..., name=...)</c>.
    /// </summary>
    public string ToHumanReadable(bool truncate = false)
    {
        string id = truncate && Id is { Length: > 12 } ? Id[..12] : Id ?? "";
        string time = FormatGo(Time);
        switch (Type)
        {
            case EventTypes.Container or EventTypes.Pod:
                var sb = new StringBuilder($"{time} {Type} {Status} {id} (image={Image}, name={Name}");
                if (Attributes is not null)
                    foreach (var (k, v) in Attributes.OrderBy(a => a.Key, StringComparer.Ordinal)) sb.Append(", ").Append(k).Append('=').Append(v);
                return sb.Append(')').ToString();
            case EventTypes.Image:
                return $"{time} {Type} {Status} {id} {Name}";
            case EventTypes.System:
                return string.IsNullOrEmpty(Name) ? $"{time} {Type} {Status}" : $"{time} {Type} {Status} {Name}";
            default:
                return $"{time} {Type} {Status} {Name}";
        }
    }

    /// <summary>A field by podman's name, as text, for --format templates (null: no such field).</summary>
    public string? Field(string name) => name switch
    {
        "ID" => Id ?? "",
        "Name" => Name ?? "",
        "Image" => Image ?? "",
        "Status" => Status,
        "Type" => Type,
        "Time" => FormatGo(Time),
        "TimeNano" => ((Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100).ToString(CultureInfo.InvariantCulture),
        "ContainerExitCode" => ContainerExitCode.ToString(CultureInfo.InvariantCulture),
        "Attributes" => "map[" + string.Join(' ', (Attributes ?? new Dictionary<string, string>()).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}:{a.Value}")) + "]",
        _ when name.StartsWith("Attributes.", StringComparison.Ordinal) => Attributes?.GetValueOrDefault(name["Attributes.".Length..]) ?? "<no value>",
        _ => null,
    };

    /// <summary>RFC 3339 with the fraction's trailing zeros dropped (Go's RFC3339Nano), in UTC.</summary>
    public static string FormatRfc3339(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return u.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + Fraction(u) + "Z";
    }

    /// <summary>Go's time.Time.String() of a UTC time: <c>2026-12-02 01:02:03.1234567 +0000 UTC</c>.</summary>
    public static string FormatGo(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return u.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + Fraction(u) + " +0000 UTC";
    }

    private static string Fraction(DateTimeOffset u)
    {
        long nanos = u.Ticks % TimeSpan.TicksPerSecond * 100;
        return nanos == 0 ? "" : "." + nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
    }
}
