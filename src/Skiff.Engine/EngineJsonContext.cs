using System.Text.Json.Serialization;
using Skiff.Engine.Containers;

namespace Skiff.Engine;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(Volumes.VolumeRecord))]
[JsonSerializable(typeof(string))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;
