using System.Text.Json.Serialization;

namespace Skiff.Engine.Security;

/// <summary>
/// A seccomp profile file in the shape podman and docker read (containers/common's pkg/seccomp): the spec's
/// linux.seccomp plus archMap, per-rule includes/excludes (caps, arches; minKernel is read and ignored, as podman
/// 4.3 does) and errno names. A spec-format profile is a special case of it.
/// </summary>
internal sealed class PodmanSeccompProfile
{
    [JsonPropertyName("defaultAction")] public string? DefaultAction { get; set; }
    [JsonPropertyName("defaultErrnoRet")] public uint? DefaultErrnoRet { get; set; }
    /// <summary>An errno name (ENOSYS); it wins over defaultErrnoRet.</summary>
    [JsonPropertyName("defaultErrno")] public string? DefaultErrno { get; set; }
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    [JsonPropertyName("archMap")] public List<PodmanSeccompArch?>? ArchMap { get; set; }
    [JsonPropertyName("syscalls")] public List<PodmanSeccompSyscall?>? Syscalls { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
    [JsonPropertyName("listenerPath")] public string? ListenerPath { get; set; }
    [JsonPropertyName("listenerMetadata")] public string? ListenerMetadata { get; set; }
}

internal sealed class PodmanSeccompArch
{
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
    [JsonPropertyName("subArchitectures")] public List<string>? SubArchitectures { get; set; }
}

internal sealed class PodmanSeccompSyscall
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("names")] public List<string>? Names { get; set; }
    [JsonPropertyName("action")] public string? Action { get; set; }
    [JsonPropertyName("args")] public List<PodmanSeccompArg?>? Args { get; set; }
    [JsonPropertyName("includes")] public PodmanSeccompFilter? Includes { get; set; }
    [JsonPropertyName("excludes")] public PodmanSeccompFilter? Excludes { get; set; }
    [JsonPropertyName("errnoRet")] public uint? ErrnoRet { get; set; }
    /// <summary>An errno name; it wins over errnoRet.</summary>
    [JsonPropertyName("errno")] public string? Errno { get; set; }
}

internal sealed class PodmanSeccompArg
{
    [JsonPropertyName("index")] public uint Index { get; set; }
    [JsonPropertyName("value")] public ulong Value { get; set; }
    [JsonPropertyName("valueTwo")] public ulong ValueTwo { get; set; }
    [JsonPropertyName("op")] public string? Op { get; set; }
}

internal sealed class PodmanSeccompFilter
{
    [JsonPropertyName("caps")] public List<string>? Caps { get; set; }
    [JsonPropertyName("arches")] public List<string>? Arches { get; set; }
    [JsonPropertyName("minKernel")] public string? MinKernel { get; set; }
}

/// <summary>Go's encoding/json, which podman reads profiles with, matches member names without regard to case.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(PodmanSeccompProfile))]
internal sealed partial class PodmanSeccompJsonContext : JsonSerializerContext;
