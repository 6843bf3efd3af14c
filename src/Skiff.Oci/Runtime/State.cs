using System.Text.Json.Serialization;

namespace Skiff.Oci.Runtime;

/// <summary>The state the runtime's "state" verb prints and hooks read on stdin (runtime.md#state).</summary>
public sealed class State
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "1.2.0";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    /// <summary>creating, created, running, paused or stopped.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    /// <summary>Skiff's (and crun's) extension: when the container was created.</summary>
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    /// <summary>Skiff's extension: the cgroup's OOM killer killed a process of the container.</summary>
    [JsonPropertyName("oomKilled")] public bool? OomKilled { get; set; }
}

/// <summary>What the runtime sends with the seccomp notify fd to listenerPath (runtime.md / config-linux.md#seccomp).</summary>
public sealed class ContainerProcessState
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = "1.2.0";
    /// <summary>Names of the fds sent with the message, in order: "seccompFd".</summary>
    [JsonPropertyName("fds")] public List<string> Fds { get; set; } = [];
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("metadata")] public string? Metadata { get; set; }
    [JsonPropertyName("state")] public State State { get; set; } = new();
}
