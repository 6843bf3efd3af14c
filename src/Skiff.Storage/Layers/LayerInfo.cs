namespace Skiff.Storage;

/// <summary>What the store knows about one unpacked layer (layers/HEX/layer.json), written before the
/// layer directory is renamed into place.</summary>
public sealed class LayerInfo
{
    public string ChainId { get; set; } = "";
    public string DiffId { get; set; } = "";
    /// <summary>The compressed blob the layer was unpacked from.</summary>
    public string Blob { get; set; } = "";
    /// <summary>Bytes of the uncompressed tar stream (what podman reports as the layer's size).</summary>
    public long Size { get; set; }
    /// <summary>Bytes of regular-file content unpacked.</summary>
    public long ContentBytes { get; set; }
    public int Entries { get; set; }
    public DateTimeOffset Created { get; set; }
}
