namespace Skiff.Engine.Volumes;

/// <summary>What the engine keeps of a volume (a row of the state database's volumes table); `volume inspect` shows it.</summary>
public sealed class VolumeRecord
{
    public string Name { get; set; } = "";
    public string Driver { get; set; } = "local";
    /// <summary>GRAPHROOT/volumes/NAME/_data (podman's layout).</summary>
    public string Mountpoint { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>The local driver's -o options: type, device, o (mount options), as given.</summary>
    public Dictionary<string, string> Options { get; set; } = [];
    /// <summary>Made for one container by -v /path or --mount type=volume without a source: removed with it by rm -v and run --rm.</summary>
    public bool Anonymous { get; set; }
    /// <summary>True until a container first mounts it: the image's content at the destination is then copied in (unless nocopy).</summary>
    public bool NeedsCopyUp { get; set; } = true;
    /// <summary>True until a container first mounts it: its root then takes the owner of the image's directory (or the container's user).</summary>
    public bool NeedsChown { get; set; } = true;

    /// <summary>A volume of the local driver with type/device options is mounted from there, not from its _data directory.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool HasMountOptions => Options.ContainsKey("type") || Options.ContainsKey("device");
}
