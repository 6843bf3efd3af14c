using System.Text.Json.Serialization;

namespace Skiff.Images.Archives;

/// <summary>One image in a docker-archive's manifest.json (docker save's format, as containers/image writes it).</summary>
public sealed class DockerArchiveImage
{
    [JsonPropertyName("Config")] public string Config { get; set; } = "";
    [JsonPropertyName("RepoTags")] public List<string> RepoTags { get; set; } = [];
    [JsonPropertyName("Layers")] public List<string> Layers { get; set; } = [];
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, WriteIndented = false)]
[JsonSerializable(typeof(List<DockerArchiveImage>))]
internal sealed partial class ArchiveJsonContext : JsonSerializerContext;
