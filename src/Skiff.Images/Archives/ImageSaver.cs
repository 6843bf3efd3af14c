using System.Text;
using System.Text.Json;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Storage.Locking;

namespace Skiff.Images.Archives;

/// <summary>One image to save and the names to record for it (RepoTags, or the OCI ref.name of the first).</summary>
public sealed record SaveItem(ImageRecord Image, IReadOnlyList<string> Names);

/// <summary>
/// podman's save: stored images into a docker-archive (manifest.json, config HEX.json, one uncompressed
/// DIFFID.tar per layer, several images sharing layers), an oci-archive or oci-dir (an OCI image layout holding
/// the stored blobs, the manifest unchanged when it is OCI already), or a docker-dir (containers/image's dir:
/// transport). A file is written as a temp file beside it and renamed when complete, a directory likewise; to
/// stdout the tar streams. Progress lines are podman's, on <see cref="Progress"/>.
/// </summary>
public sealed class ImageSaver(ImageStore store)
{
    private const string OciLayoutBytes = "{\"imageLayoutVersion\": \"1.0.0\"}";

    public TextWriter? Progress { get; init; }

    /// <summary>Saves to <paramref name="output"/> (a path), or to <paramref name="stdout"/> when it is null.</summary>
    public void Save(IReadOnlyList<SaveItem> items, ArchiveFormat format, string? output, Stream stdout)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(stdout);
        if (items.Count == 0) throw new ArgumentException("nothing to save", nameof(items));
        if (items.Count > 1 && format != ArchiveFormat.DockerArchive)
            throw new ArchiveException($"unsupported format \"{ArchiveFormats.Name(format)}\" for saving multiple images (only docker-archive)");

        // No removal's garbage collection between reading the records and copying their blobs.
        using var use = store.AcquireUseLock();
        var images = items.Select(i => (Image: StoredImage.Read(store, i.Image), i.Names)).ToList();

        if (ArchiveFormats.IsDirectory(format))
        {
            if (output is null) throw new ArchiveException($"{ArchiveFormats.Name(format)} needs a directory: use -o");
            SaveDirectory(images[0].Image, images[0].Names, format, output);
            return;
        }
        if (output is null)
        {
            WriteArchive(images, format, stdout);
            return;
        }
        string full = Path.GetFullPath(output);
        string dir = Path.GetDirectoryName(full)!;
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                WriteArchive(images, format, fs);
                fs.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(tmp, (UnixFileMode)0b110_100_100);
            File.Move(tmp, full, overwrite: true);
            AtomicFile.FsyncDirectory(dir);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    private void WriteArchive(List<(StoredImage Image, IReadOnlyList<string> Names)> images, ArchiveFormat format, Stream stream)
    {
        var tar = new TarSink(stream);
        if (format == ArchiveFormat.DockerArchive) WriteDockerArchive(images, tar);
        else WriteOciLayout(images[0].Image, images[0].Names, tar, isTar: true);
        tar.Finish();
    }

    private void SaveDirectory(StoredImage image, IReadOnlyList<string> names, ArchiveFormat format, string output)
    {
        string full = Path.GetFullPath(output.TrimEnd('/'));
        if (Path.Exists(full)) throw new ArchiveException($"{output}: already exists");
        string tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            var sink = new DirectorySink(tmp);
            if (format == ArchiveFormat.OciDir) WriteOciLayout(image, names, sink, isTar: false);
            else WriteDockerDir(image, sink);
            Directory.Move(tmp, full);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    private void WriteDockerArchive(List<(StoredImage Image, IReadOnlyList<string> Names)> images, TarSink tar)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        var manifest = new List<DockerArchiveImage>();
        foreach (var (image, names) in images)
        {
            var entry = new DockerArchiveImage { Config = image.Config.Hex + ".json", RepoTags = [.. names] };
            foreach (var layer in image.Layers)
            {
                string name = layer.DiffId.Hex + ".tar";
                entry.Layers.Add(name);
                Line($"Copying blob {layer.DiffId}"); // per image, as podman says it, even for a layer written already
                if (!written.Add(name)) continue;
                using var tarStream = new DigestingStream(store.OpenLayerTar(layer.Blob), layer.DiffId.Algorithm);
                tar.WriteFile(name, layer.TarSize, tarStream);
                if (tarStream.Finish() is var actual && actual != layer.DiffId)
                    throw new ArchiveException($"layer {layer.DiffId} in the store unpacks to {actual} (store corrupted)");
            }
            Line($"Copying config {image.Config}");
            if (written.Add(entry.Config)) WriteBytes(tar, entry.Config, image.ConfigBytes);
            Line("Writing manifest to image destination");
            Line("Storing signatures");
            manifest.Add(entry);
        }
        WriteBytes(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest, ArchiveJsonContext.Default.ListDockerArchiveImage));
    }

    private void WriteOciLayout(StoredImage image, IReadOnlyList<string> names, IArchiveSink sink, bool isTar)
    {
        if (isTar) sink.WriteDirectory("blobs");
        sink.WriteDirectory("blobs/sha256");
        var (manifestBytes, _) = AsManifest(image, oci: true);
        foreach (var layer in image.Layers.DistinctBy(l => l.Blob))
        {
            Line($"Copying blob {layer.Blob}");
            CopyBlob(sink, $"blobs/{layer.Blob.Algorithm}/{layer.Blob.Hex}", layer.Blob);
        }
        Line($"Copying config {image.Config}");
        WriteBytes(sink, $"blobs/{image.Config.Algorithm}/{image.Config.Hex}", image.ConfigBytes);
        Line("Writing manifest to image destination");
        var manifestDigest = Digest.Sha256(manifestBytes);
        WriteBytes(sink, $"blobs/sha256/{manifestDigest.Hex}", manifestBytes);
        var index = new ImageIndex
        {
            SchemaVersion = 2,
            Manifests =
            [
                new Descriptor
                {
                    MediaType = MediaTypes.OciManifest, Digest = manifestDigest.ToString(), Size = manifestBytes.Length,
                    Annotations = names.Count > 0 ? new() { ["org.opencontainers.image.ref.name"] = names[0] } : null,
                },
            ],
        };
        WriteBytes(sink, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Default.ImageIndex));
        WriteBytes(sink, "oci-layout", Encoding.ASCII.GetBytes(OciLayoutBytes));
        Line("Storing signatures");
    }

    /// <summary>containers/image's dir: transport: blobs named by their hex, manifest.json (Docker schema 2) and version.</summary>
    private void WriteDockerDir(StoredImage image, IArchiveSink sink)
    {
        var (manifestBytes, _) = AsManifest(image, oci: false);
        foreach (var layer in image.Layers.DistinctBy(l => l.Blob))
        {
            Line($"Copying blob {layer.Blob}");
            CopyBlob(sink, layer.Blob.Hex, layer.Blob);
        }
        Line($"Copying config {image.Config}");
        WriteBytes(sink, image.Config.Hex, image.ConfigBytes);
        Line("Writing manifest to image destination");
        WriteBytes(sink, "manifest.json", manifestBytes);
        WriteBytes(sink, "version", Encoding.ASCII.GetBytes("Directory Transport Version: 1.1\n"));
        Line("Storing signatures");
    }

    /// <summary>The image's manifest as OCI (or Docker schema 2): the stored bytes when already in that form, else converted.</summary>
    private static (byte[] Bytes, ImageManifest Manifest) AsManifest(StoredImage image, bool oci)
    {
        string want = oci ? MediaTypes.OciManifest : MediaTypes.DockerManifest;
        bool isOci = image.Manifest.MediaType == MediaTypes.OciManifest
            || (image.Manifest.MediaType is null && image.Manifest.Config.MediaType == MediaTypes.OciConfig);
        if (isOci == oci) return (image.ManifestBytes, image.Manifest);
        var converted = new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = want,
            Config = new Descriptor { MediaType = oci ? MediaTypes.OciConfig : MediaTypes.DockerConfig, Digest = image.Config.ToString(), Size = image.ConfigBytes.Length },
            Layers = [.. image.Layers.Select(l => new Descriptor { MediaType = LayerType(l.MediaType, oci), Digest = l.Blob.ToString(), Size = l.BlobSize })],
        };
        return (JsonSerializer.SerializeToUtf8Bytes(converted, ImageJsonContext.Default.ImageManifest), converted);
    }

    private static string LayerType(string mediaType, bool oci) => (mediaType, oci) switch
    {
        (MediaTypes.DockerLayerGzip or MediaTypes.DockerForeignLayerGzip, true) => MediaTypes.OciLayerGzip,
        ("application/vnd.docker.image.rootfs.diff.tar", true) => MediaTypes.OciLayer,
        (MediaTypes.OciLayerGzip or "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", false) => MediaTypes.DockerLayerGzip,
        (MediaTypes.OciLayer or "application/vnd.oci.image.layer.nondistributable.v1.tar", false) => "application/vnd.docker.image.rootfs.diff.tar",
        (_, true) => mediaType,
        _ => throw new ArchiveException($"a layer of media type \"{mediaType}\" cannot be saved in a Docker manifest"),
    };

    private void CopyBlob(IArchiveSink sink, string name, Digest blob)
    {
        using var file = new FileStream(store.BlobPath(blob), FileMode.Open, FileAccess.Read, FileShare.Read);
        sink.WriteFile(name, file.Length, file);
    }

    private static void WriteBytes(IArchiveSink sink, string name, byte[] bytes)
    {
        using var ms = new MemoryStream(bytes, writable: false);
        sink.WriteFile(name, bytes.Length, ms);
    }

    private void Line(string text) => Progress?.WriteLine(text);
}
