using System.Text.Json;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;

namespace Skiff.Images.Archives;

/// <summary>
/// What a save needs of a stored image: its platform manifest (the one whose config is the image's, when the
/// record names an index), its config, and per layer the stored blob with its diff id and uncompressed size.
/// </summary>
internal sealed record StoredImage(ImageRecord Record, Digest Config, byte[] ConfigBytes, ImageManifest Manifest, byte[] ManifestBytes,
    IReadOnlyList<StoredLayer> Layers)
{
    public Digest ManifestDigest => Digest.Sha256(ManifestBytes);

    public static StoredImage Read(ImageStore store, ImageRecord record)
    {
        try
        {
            var config = Digest.Parse(record.ConfigDigest);
            byte[] configBytes = store.ReadBlob(config);
            var configFile = JsonSerializer.Deserialize(configBytes, ImageJsonContext.Default.ImageConfigFile)
                ?? throw new JsonException("empty config");
            var (manifest, manifestBytes) = PlatformManifest(store, Digest.Parse(record.ManifestDigest), record.ConfigDigest);
            var diffIds = configFile.RootFs.DiffIds;
            if (manifest.Layers.Count != diffIds.Count || record.Layers.Count != diffIds.Count)
                throw new InvalidDataException($"{manifest.Layers.Count} layers in the manifest, {diffIds.Count} diff ids in the config, {record.Layers.Count} layers in the store");
            var layers = new List<StoredLayer>(diffIds.Count);
            for (int i = 0; i < diffIds.Count; i++)
            {
                var chainId = Digest.TryParse(record.Layers[i], out var c) ? c : Digest.Parse("sha256:" + record.Layers[i]);
                var info = store.GetLayer(chainId) ?? throw new InvalidDataException($"layer {chainId} is not in the store");
                var blob = Digest.Parse(manifest.Layers[i].Digest);
                if (!store.HasBlob(blob)) throw new InvalidDataException($"blob {blob} of layer {chainId} is not in the store");
                layers.Add(new StoredLayer(blob, manifest.Layers[i].Size, manifest.Layers[i].MediaType, Digest.Parse(diffIds[i]), info.Size));
            }
            return new StoredImage(record, config, configBytes, manifest, manifestBytes, layers);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidDataException or FileNotFoundException or DigestMismatchException)
        {
            throw new ArchiveException($"reading image {record.Id[..Math.Min(12, record.Id.Length)]} from the store: {Interop.ErrorText.Of(e)}", e);
        }
    }

    private static (ImageManifest, byte[]) PlatformManifest(ImageStore store, Digest top, string configDigest)
    {
        byte[] bytes = store.ReadBlob(top);
        using (var doc = JsonDocument.Parse(bytes))
        {
            if (!doc.RootElement.TryGetProperty("manifests", out _))
                return (JsonSerializer.Deserialize(bytes, ImageJsonContext.Default.ImageManifest) ?? throw new JsonException("empty manifest"), bytes);
        }
        var index = JsonSerializer.Deserialize(bytes, ImageJsonContext.Default.ImageIndex) ?? throw new JsonException("empty index");
        foreach (var d in index.Manifests)
        {
            if (!Digest.TryParse(d.Digest, out var digest) || !store.HasBlob(digest) || MediaTypes.IsIndex(d.MediaType)) continue;
            byte[] candidate = store.ReadBlob(digest);
            var manifest = JsonSerializer.Deserialize(candidate, ImageJsonContext.Default.ImageManifest);
            if (manifest?.Config.Digest == configDigest) return (manifest, candidate);
        }
        throw new InvalidDataException($"no manifest in index {top} is stored for config {configDigest}");
    }
}

internal sealed record StoredLayer(Digest Blob, long BlobSize, string MediaType, Digest DiffId, long TarSize);
