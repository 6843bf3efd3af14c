using System.Text.Json.Serialization;

namespace Skiff.Runtime.State;

/// <summary>What the runtime keeps about one container in ROOT/ID/state.json.</summary>
public sealed class ContainerRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>Start time of the init in clock ticks since boot (/proc/PID/stat field 22): tells our process from a recycled pid.</summary>
    [JsonPropertyName("pidStartTime")] public ulong PidStartTime { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>The config's hooks, kept for start (poststart) and delete (poststop): the bundle may change or go meanwhile.</summary>
    [JsonPropertyName("hooks")] public Oci.Runtime.Hooks? Hooks { get; set; }
    // [cgroups] begin: where the container's cgroup is (pause, update, ps, events, delete need it)
    [JsonPropertyName("cgroup")] public Cgroups.CgroupState? Cgroup { get; set; }
    // [cgroups] end
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
