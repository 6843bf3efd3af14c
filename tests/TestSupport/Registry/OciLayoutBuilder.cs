using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Skiff.TestSupport.Registry;

/// <summary>Writes an OCI image layout (oci-layout, index.json, blobs/sha256/...) that skopeo can copy from.</summary>
public sealed class OciLayoutBuilder
{
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    public const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";

    private readonly List<(BlobRef Blob, string MediaType, string RefName)> _refs = [];

    public OciLayoutBuilder(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
    }

    public string Directory { get; }

    /// <summary>The host's architecture in OCI spelling (amd64, arm64...).</summary>
    public static string HostArchitecture => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    public BlobRef AddBlob(byte[] bytes)
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(Path.Combine(Directory, "blobs", "sha256", hex), bytes);
        return new BlobRef("sha256:" + hex, bytes.Length);
    }

    /// <summary>
    /// Writes the layers, a config and a manifest; returns the image (not yet named in index.json). The config's
    /// history is <paramref name="history"/> when given, else one entry per layer ("skiff test layer N").
    /// </summary>
    public BuiltImage AddImage(IReadOnlyList<BuiltLayer> layers, string? architecture = null, string? variant = null, string[]? cmd = null,
        IReadOnlyList<HistoryEntry>? history = null)
    {
        architecture ??= HostArchitecture;
        foreach (var layer in layers) AddBlob(layer.Gzip);
        var config = AddBlob(Json(w =>
        {
            w.WriteString("created", "2024-01-01T00:00:00Z");
            w.WriteString("architecture", architecture);
            if (variant is not null) w.WriteString("variant", variant);
            w.WriteString("os", "linux");
            w.WriteStartObject("config");
            w.WriteStartArray("Env");
            w.WriteStringValue("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            w.WriteEndArray();
            w.WriteStartArray("Cmd");
            foreach (string c in cmd ?? ["sh"]) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("rootfs");
            w.WriteString("type", "layers");
            w.WriteStartArray("diff_ids");
            foreach (var layer in layers) w.WriteStringValue(layer.DiffId);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("history");
            foreach (var h in history ?? [.. layers.Select((_, i) => new HistoryEntry("2024-01-01T00:00:00Z", $"skiff test layer {i}"))])
            {
                w.WriteStartObject();
                w.WriteString("created", h.Created);
                w.WriteString("created_by", h.CreatedBy);
                if (h.Comment is not null) w.WriteString("comment", h.Comment);
                if (h.EmptyLayer) w.WriteBoolean("empty_layer", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }));
        var manifest = AddBlob(Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", ManifestMediaType);
            WriteDescriptor(w, "config", ConfigMediaType, config);
            w.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", BuiltLayer.MediaType);
                w.WriteString("digest", layer.Digest);
                w.WriteNumber("size", layer.Gzip.Length);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }));
        return new BuiltImage(manifest, config, layers, architecture, variant);
    }

    /// <summary>Writes an image index over <paramref name="images"/> (each with its platform).</summary>
    public BlobRef AddIndex(IReadOnlyList<BuiltImage> images) => AddBlob(Json(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", IndexMediaType);
        w.WriteStartArray("manifests");
        foreach (var image in images)
        {
            w.WriteStartObject();
            w.WriteString("mediaType", ManifestMediaType);
            w.WriteString("digest", image.Manifest.Digest);
            w.WriteNumber("size", image.Manifest.Size);
            w.WriteStartObject("platform");
            w.WriteString("architecture", image.Architecture);
            w.WriteString("os", "linux");
            if (image.Variant is not null) w.WriteString("variant", image.Variant);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }));

    /// <summary>Names a manifest or index in index.json (org.opencontainers.image.ref.name) and rewrites index.json.</summary>
    public void Tag(BlobRef blob, string mediaType, string refName)
    {
        _refs.Add((blob, mediaType, refName));
        File.WriteAllBytes(Path.Combine(Directory, "index.json"), Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteStartArray("manifests");
            foreach (var (b, mt, name) in _refs)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", mt);
                w.WriteString("digest", b.Digest);
                w.WriteNumber("size", b.Size);
                w.WriteStartObject("annotations");
                w.WriteString("org.opencontainers.image.ref.name", name);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }));
    }

    private static void WriteDescriptor(Utf8JsonWriter w, string name, string mediaType, BlobRef blob)
    {
        w.WriteStartObject(name);
        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", blob.Digest);
        w.WriteNumber("size", blob.Size);
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}

public sealed record BlobRef(string Digest, long Size);

public sealed record BuiltImage(BlobRef Manifest, BlobRef Config, IReadOnlyList<BuiltLayer> Layers, string Architecture, string? Variant);

/// <summary>One entry of an image config's history (<paramref name="Created"/> in RFC 3339).</summary>
public sealed record HistoryEntry(string Created, string CreatedBy, string? Comment = null, bool EmptyLayer = false);
