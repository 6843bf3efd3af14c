using System.Text.Json;
using Skiff.Images.Distribution;
using Skiff.Images.Pull;
using Skiff.Images.References;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Storage.Tar;

namespace Skiff.Images.Archives;

/// <summary>
/// podman's load: a docker-archive or an oci-archive (told apart by their content: an OCI layout has oci-layout and
/// index.json, a docker archive manifest.json) into the store. The archive is indexed in place, never unpacked; each
/// blob is verified against its digest as the store writes it, each layer unpacked by the store's own unpacker
/// (which checks its diff id), and an image recorded only once all its layers exist. A failed load leaves no image
/// and takes away the blobs and layers it stored that no image uses.
/// </summary>
public sealed class ImageLoader(ImageStore store)
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public TextWriter? Progress { get; init; }

    /// <summary>The archive's images, as stored: their records (names normalised as podman's).</summary>
    public async Task<IReadOnlyList<ImageRecord>> LoadAsync(string path, CancellationToken ct)
    {
        using var archive = Open(path);
        var loaded = new List<ImageRecord>();
        bool failed = true;
        try
        {
            using (store.AcquireUseLock())
            {
                if (archive.Has("oci-layout") && archive.Has("index.json"))
                    await LoadOciAsync(archive, loaded, ct).ConfigureAwait(false);
                else if (archive.Has("manifest.json"))
                    await LoadDockerAsync(archive, loaded, ct).ConfigureAwait(false);
                else
                    throw Unrecognised("neither oci-layout and index.json nor manifest.json in the archive");
            }
            failed = false;
            return loaded;
        }
        finally
        {
            if (failed) store.CollectGarbage();
        }
    }

    private static ArchiveReader Open(string path)
    {
        try
        {
            return ArchiveReader.Open(path);
        }
        catch (ArchiveException e) when (e.Message.StartsWith("not a tar archive", StringComparison.Ordinal))
        {
            throw Unrecognised(e.Message);
        }
    }

    private static ArchiveException Unrecognised(string why)
        => new($"payload does not match any of the supported image formats (oci-archive, docker-archive): {why}");

    // ---- docker-archive ----

    private async Task LoadDockerAsync(ArchiveReader archive, List<ImageRecord> loaded, CancellationToken ct)
    {
        List<DockerArchiveImage> images;
        try
        {
            images = JsonSerializer.Deserialize(archive.ReadSmall("manifest.json", ImageStore.MaxSmallBlobSize), ArchiveJsonContext.Default.ListDockerArchiveImage)
                ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ArchiveException($"manifest.json: not a docker-archive manifest: {Interop.ErrorText.Of(e)}", e);
        }
        if (images.Count == 0) throw new ArchiveException("manifest.json lists no image");

        foreach (var image in images)
        {
            ct.ThrowIfCancellationRequested();
            var names = image.RepoTags.Select(DockerName).ToList();
            Line("Getting image source signatures");
            byte[] configBytes = archive.ReadSmall(image.Config, ImageStore.MaxSmallBlobSize);
            var config = Digest.Sha256(configBytes);
            var configFile = ParseConfig(image.Config, configBytes);
            var diffIds = DiffIds(image.Config, configFile, image.Layers.Count);

            var descriptors = new List<Descriptor>();
            for (int i = 0; i < image.Layers.Count; i++)
            {
                Line($"Copying blob {diffIds[i]}");
                var (blob, size, mediaType) = await PutDockerLayerAsync(archive, image.Layers[i], diffIds[i], ct).ConfigureAwait(false);
                descriptors.Add(new Descriptor { MediaType = mediaType, Digest = blob.ToString(), Size = size });
            }
            Line($"Copying config {config}");
            await PutBytesAsync(config, configBytes, ct).ConfigureAwait(false);

            // The store keeps an OCI manifest for the layers as they came (compressed or not).
            var manifest = new ImageManifest
            {
                SchemaVersion = 2,
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = config.ToString(), Size = configBytes.Length },
                Layers = descriptors,
            };
            byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ImageManifest);
            loaded.Add(await RecordAsync(names, manifestBytes, config, configFile, manifest, diffIds, ct).ConfigureAwait(false));
        }
    }

    /// <summary>Stores one docker-archive layer file: plain tar (its digest is then its diff id, checked in one pass) or compressed.</summary>
    private async Task<(Digest Blob, long Size, string MediaType)> PutDockerLayerAsync(ArchiveReader archive, string name, Digest diffId, CancellationToken ct)
    {
        long size = archive.Length(name);
        string mediaType;
        using (var head = archive.OpenFile(name))
        {
            var magic = new byte[4];
            int n = head.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            mediaType = n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b ? MediaTypes.OciLayerGzip
                : n >= 4 && magic is [0x28, 0xb5, 0x2f, 0xfd] ? MediaTypes.OciLayerZstd
                : MediaTypes.OciLayer;
        }
        Digest blob = diffId;
        if (mediaType != MediaTypes.OciLayer)
        {
            using var hashing = new DigestingStream(archive.OpenFile(name), diffId.Algorithm);
            blob = hashing.Drain();
        }
        await PutStreamAsync(archive, name, blob, size, ct).ConfigureAwait(false);
        return (blob, size, mediaType);
    }

    private static string DockerName(string tag)
    {
        try
        {
            return ImageReference.Parse(tag).ToString();
        }
        catch (InvalidReferenceException e)
        {
            throw new ArchiveException($"manifest.json: invalid image name \"{tag}\": {e.Message}", e);
        }
    }

    // ---- oci-archive ----

    private async Task LoadOciAsync(ArchiveReader archive, List<ImageRecord> loaded, CancellationToken ct)
    {
        var index = ParseIndex("index.json", archive.ReadSmall("index.json", ImageStore.MaxSmallBlobSize));
        if (index.Manifests.Count == 0) throw new ArchiveException("index.json lists no image");
        foreach (var top in index.Manifests)
        {
            ct.ThrowIfCancellationRequested();
            var names = OciName(top);
            var descriptor = top;
            if (MediaTypes.IsIndex(top.MediaType))
            {
                var (_, inner) = await ReadBlobAsync(archive, top, ct).ConfigureAwait(false);
                var nested = ParseIndex(top.Digest, inner);
                try
                {
                    descriptor = PlatformSelector.Select(nested, PlatformSpec.Host);
                }
                catch (RegistryException e)
                {
                    throw new ArchiveException($"index {top.Digest}: {e.Message}", e);
                }
                if (MediaTypes.IsIndex(descriptor.MediaType))
                    throw new ArchiveException($"manifest {descriptor.Digest} is an index inside an index, which is not supported");
            }

            Line("Getting image source signatures");
            var (_, manifestBytes) = await ReadBlobAsync(archive, descriptor, ct).ConfigureAwait(false);
            ImageManifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize(manifestBytes, ImageJsonContext.Default.ImageManifest) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new ArchiveException($"manifest {descriptor.Digest}: {Interop.ErrorText.Of(e)}", e);
            }
            if (manifest.SchemaVersion != 2) throw new ArchiveException($"manifest {descriptor.Digest} has schemaVersion {manifest.SchemaVersion}, expected 2");

            var (config, configBytes) = await ReadBlobAsync(archive, manifest.Config, ct).ConfigureAwait(false);
            var configFile = ParseConfig(manifest.Config.Digest, configBytes);
            var diffIds = DiffIds(manifest.Config.Digest, configFile, manifest.Layers.Count);
            foreach (var layer in manifest.Layers)
            {
                var blob = ParseDigest(layer.Digest);
                Line($"Copying blob {blob}");
                await PutStreamAsync(archive, BlobName(blob), blob, layer.Size, ct).ConfigureAwait(false);
            }
            Line($"Copying config {config}");
            await PutBytesAsync(config, configBytes, ct).ConfigureAwait(false);
            loaded.Add(await RecordAsync(names, manifestBytes, config, configFile, manifest, diffIds, ct).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// The name in the descriptor's ref.name annotation: a full reference as it is (localhost/ when it has no
    /// registry, as podman's tag); none when there is no annotation or it is a bare tag (skopeo's "oci:DIR:latest").
    /// </summary>
    private static List<string> OciName(Descriptor descriptor)
    {
        if (descriptor.Annotations?.GetValueOrDefault(RefNameAnnotation) is not { Length: > 0 } name) return [];
        if (!name.Contains('/', StringComparison.Ordinal) && !name.Contains(':', StringComparison.Ordinal)) return [];
        try
        {
            return [ImageReference.Parse(ImageReference.HasDomain(name) ? name : "localhost/" + name).ToString()];
        }
        catch (InvalidReferenceException e)
        {
            throw new ArchiveException($"index.json: invalid image name \"{name}\": {e.Message}", e);
        }
    }

    private static ImageIndex ParseIndex(string what, byte[] bytes)
    {
        try
        {
            var index = JsonSerializer.Deserialize(bytes, ImageJsonContext.Default.ImageIndex) ?? throw new JsonException("null");
            if (index.SchemaVersion != 2) throw new ArchiveException($"{what} has schemaVersion {index.SchemaVersion}, expected 2");
            return index;
        }
        catch (JsonException e)
        {
            throw new ArchiveException($"{what}: not an OCI image index: {Interop.ErrorText.Of(e)}", e);
        }
    }

    private static string BlobName(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Hex}";

    /// <summary>A small blob (index, manifest, config) of the layout, checked against its descriptor's digest and size.</summary>
    private static Task<(Digest, byte[])> ReadBlobAsync(ArchiveReader archive, Descriptor descriptor, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var digest = ParseDigest(descriptor.Digest);
        byte[] bytes = archive.ReadSmall(BlobName(digest), ImageStore.MaxSmallBlobSize);
        if (bytes.Length != descriptor.Size)
            throw new ArchiveException($"blob {digest}: {bytes.Length} bytes, but its descriptor says {descriptor.Size}");
        var actual = Digest.Of(digest.Algorithm, bytes);
        if (actual != digest) throw new ArchiveException($"blob {digest}: digest mismatch: got {actual}");
        return Task.FromResult((digest, bytes));
    }

    // ---- shared ----

    private static Digest ParseDigest(string text)
        => Digest.TryParse(text, out var d) ? d : throw new ArchiveException($"invalid digest \"{text}\"");

    private static ImageConfigFile ParseConfig(string what, byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, ImageJsonContext.Default.ImageConfigFile) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ArchiveException($"config {what}: not an image config: {Interop.ErrorText.Of(e)}", e);
        }
    }

    private static List<Digest> DiffIds(string what, ImageConfigFile config, int layers)
    {
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != layers)
            throw new ArchiveException($"config {what} lists {diffIds.Count} diff ids for {layers} layers");
        return [.. diffIds.Select(ParseDigest)];
    }

    private async Task PutStreamAsync(ArchiveReader archive, string name, Digest blob, long size, CancellationToken ct)
    {
        if (store.HasBlob(blob)) return;
        if (archive.Length(name) != size)
            throw new ArchiveException($"blob {blob}: \"{name}\" is {archive.Length(name)} bytes, but its descriptor says {size}");
        await using var stream = archive.OpenFile(name);
        try
        {
            await store.PutBlobAsync(blob, size, stream, ct).ConfigureAwait(false);
        }
        catch (DigestMismatchException e)
        {
            throw new ArchiveException($"\"{name}\": {e.Message}", e);
        }
    }

    private async Task PutBytesAsync(Digest digest, byte[] bytes, CancellationToken ct)
    {
        if (store.HasBlob(digest)) return;
        using var ms = new MemoryStream(bytes, writable: false);
        await store.PutBlobAsync(digest, bytes.Length, ms, ct).ConfigureAwait(false);
    }

    /// <summary>Unpacks the layers (the store skips those it has, and checks each diff id), then records the image.</summary>
    private async Task<ImageRecord> RecordAsync(List<string> names, byte[] manifestBytes, Digest config, ImageConfigFile configFile,
        ImageManifest manifest, List<Digest> diffIds, CancellationToken ct)
    {
        var chainIds = ChainId.Compute(diffIds);
        for (int i = 0; i < chainIds.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (store.HasLayer(chainIds[i])) continue;
            var blob = ParseDigest(manifest.Layers[i].Digest);
            try
            {
                store.CreateLayer(chainIds[i], diffIds[i], blob, manifest.Layers[i].MediaType);
            }
            catch (Exception e) when (e is DigestMismatchException or LayerUnpackException or NotSupportedException or InvalidDataException)
            {
                throw new ArchiveException($"applying layer {blob}: {Interop.ErrorText.Of(e)}", e);
            }
        }
        Line("Writing manifest to image destination");
        var manifestDigest = Digest.Sha256(manifestBytes);
        await PutBytesAsync(manifestDigest, manifestBytes, ct).ConfigureAwait(false);
        Line("Storing signatures");
        var record = new ImageRecord
        {
            Id = config.Hex,
            Names = names,
            ManifestDigest = manifestDigest.ToString(),
            ConfigDigest = config.ToString(),
            Layers = [.. chainIds.Select(c => c.ToString())],
            Created = configFile.Created ?? DateTimeOffset.UnixEpoch,
        };
        store.AddImage(record);
        return record;
    }

    private void Line(string text) => Progress?.WriteLine(text);
}
