using System.Text.Json;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Interop;

namespace Skiff.Images.Distribution;

/// <summary>A manifest or index exactly as the registry sent it, with its media type and the sha256 of its bytes.</summary>
public sealed class ManifestResponse
{
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    public ManifestResponse(byte[] bytes, string mediaType, Digest digest)
    {
        Bytes = bytes;
        MediaType = mediaType;
        Digest = digest;
    }

    public byte[] Bytes { get; }
    public string MediaType { get; }
    public Digest Digest { get; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    public ImageManifest ParseManifest() =>
        Parse(() => JsonSerializer.Deserialize(Bytes, ImageJsonContext.Default.ImageManifest), "manifest");

    public ImageIndex ParseIndex() =>
        Parse(() => JsonSerializer.Deserialize(Bytes, ImageJsonContext.Default.ImageIndex), "image index");

    private T Parse<T>(Func<T?> parse, string what) where T : class
    {
        try
        {
            return parse() ?? throw new RegistryException($"{what} {Digest} is empty");
        }
        catch (JsonException e)
        {
            throw new RegistryException($"parsing {what} {Digest}: {ErrorText.Of(e)}", e);
        }
    }

    /// <summary>The media type of a manifest body: the Content-Type when it is a known one, else the
    /// body's "mediaType", else guessed from its shape (OCI allows omitting mediaType).</summary>
    internal static string DetectMediaType(string? contentType, byte[] body)
    {
        if (contentType is not null && (MediaTypes.IsIndex(contentType) || MediaTypes.IsManifest(contentType)
            || contentType is DockerSchema1 or DockerSchema1Signed))
            return contentType;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return contentType ?? "";
            if (root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String)
                return mt.GetString() ?? "";
            if (root.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.GetInt32() == 1)
                return DockerSchema1;
            if (root.TryGetProperty("manifests", out _)) return MediaTypes.OciIndex;
            if (root.TryGetProperty("config", out _)) return MediaTypes.OciManifest;
        }
        catch (JsonException)
        {
        }
        return contentType ?? "";
    }
}
