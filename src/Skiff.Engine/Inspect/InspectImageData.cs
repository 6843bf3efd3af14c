using System.Text.Json.Serialization;

namespace Skiff.Engine.Inspect;

/// <summary>One image, as `podman image inspect` prints it (containers/common's inspect.ImageData, podman 4.3).</summary>
public sealed class InspectImageData
{
    public string Id { get; set; } = "";
    public string Digest { get; set; } = "";
    public List<string> RepoTags { get; set; } = [];
    public List<string> RepoDigests { get; set; } = [];
    public string Parent { get; set; } = "";
    public string Comment { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    public InspectImageConfig Config { get; set; } = new();
    public string Version { get; set; } = "";
    public string Author { get; set; } = "";
    public string Architecture { get; set; } = "";
    public string Os { get; set; } = "";
    public long Size { get; set; }
    public long VirtualSize { get; set; }
    public InspectGraphDriver GraphDriver { get; set; } = new();
    public InspectRootFs RootFS { get; set; } = new();
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string> Annotations { get; set; } = [];
    public string ManifestType { get; set; } = "";
    public string User { get; set; } = "";
    public List<InspectImageHistory> History { get; set; } = [];
    public List<string> NamesHistory { get; set; } = [];
}

/// <summary>The OCI image config's "config" (every member omitted when empty, as Go's v1.ImageConfig).</summary>
public sealed class InspectImageConfig
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? User { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, InspectEmpty>? ExposedPorts { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Env { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Entrypoint { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Cmd { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, InspectEmpty>? Volumes { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? WorkingDir { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Labels { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? StopSignal { get; set; }
}

public sealed class InspectRootFs
{
    public string Type { get; set; } = "layers";
    public List<string> Layers { get; set; } = [];
}

/// <summary>A history entry, with the OCI config's lower-case names (Go: Created, CreatedBy, ...).</summary>
public sealed class InspectImageHistory
{
    [JsonPropertyName("created")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("created_by")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CreatedBy { get; set; }
    [JsonPropertyName("author")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Author { get; set; }
    [JsonPropertyName("comment")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Comment { get; set; }
    [JsonPropertyName("empty_layer")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool EmptyLayer { get; set; }
}
