using System.Text.Json.Serialization;

namespace Skiff.Storage;

/// <summary>images.json: the store's image records, rewritten whole.</summary>
public sealed class ImagesFile
{
    public int Version { get; set; } = 1;
    public List<ImageRecord> Images { get; set; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ImagesFile))]
[JsonSerializable(typeof(LayerInfo))]
public sealed partial class StorageJsonContext : JsonSerializerContext;
