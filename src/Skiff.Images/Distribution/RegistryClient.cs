using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Skiff.Images.References;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Interop;

namespace Skiff.Images.Distribution;

/// <summary>
/// A client of the OCI distribution spec v2 (pull side): manifests and blobs, anonymous or with
/// bearer tokens / basic credentials, over https (or plain http for insecure registries).
/// Thread-safe; one instance serves many registries.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    /// <summary>containers/image's limits (iolimits): 4 MiB for a manifest and for a config.</summary>
    public const long MaxManifestSize = 4 << 20;
    public const long MaxConfigSize = 4 << 20;

    private static readonly string[] ManifestAccept =
    [
        MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList,
    ];

    private readonly RegistryClientOptions _options;
    private readonly HttpClient _verifying;
    private readonly HttpClient _unverified;
    private readonly ConcurrentDictionary<string, Lazy<Task<RegistryEndpoint>>> _endpoints = new(StringComparer.Ordinal);

    public RegistryClient(RegistryClientOptions options)
    {
        _options = options;
        _verifying = CreateHttpClient(options.ConnectTimeout, verify: true);
        _unverified = CreateHttpClient(options.ConnectTimeout, verify: false);
    }

    /// <summary>Fetches the manifest or index <paramref name="image"/> names (its digest, else its tag).</summary>
    public Task<ManifestResponse> GetManifestAsync(ImageReference image, CancellationToken ct = default) =>
        GetManifestAsync(image, image.ManifestReference, ct);

    /// <summary>Fetches manifest <paramref name="reference"/> (a tag or a digest) of <paramref name="image"/>'s
    /// repository. By digest, the bytes are verified against it; schema 1 manifests are refused.</summary>
    public async Task<ManifestResponse> GetManifestAsync(ImageReference image, string reference, CancellationToken ct = default)
    {
        string context = $"reading manifest {reference} in {image.Name}";
        var endpoint = await GetEndpointAsync(image.Registry, ct).ConfigureAwait(false);
        using var response = await SendAsync(endpoint, image.Repository, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, ApiUri(endpoint, image.Repository, "manifests", reference));
            foreach (string accept in ManifestAccept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            return request;
        }, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await RegistryErrors.FromResponseAsync(response, context, _options.IdleTimeout, ct).ConfigureAwait(false);

        byte[] bytes;
        try
        {
            bytes = await HttpBodies.ReadBoundedAsync(response.Content, MaxManifestSize, _options.IdleTimeout, context, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new RegistryException($"{context}: manifest {ErrorText.Of(e)}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RegistryException($"{context}: {ErrorText.Of(e)}", e) { IsTransient = true };
        }

        var digest = Digest.Sha256(bytes);
        if (Digest.TryParse(reference, out var wanted) && wanted != Verify(wanted, bytes))
            throw new DigestMismatchException($"{context}: manifest digest mismatch: expected {wanted}, got {(wanted.Algorithm == "sha256" ? digest : Verify(wanted, bytes))}");

        string mediaType = ManifestResponse.DetectMediaType(response.Content.Headers.ContentType?.MediaType, bytes);
        if (mediaType is ManifestResponse.DockerSchema1 or ManifestResponse.DockerSchema1Signed)
            throw new RegistryException($"{context}: unsupported manifest format Docker schema 1 ({mediaType}): the image must be pushed again with a current tool");
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
            throw new RegistryException($"{context}: unsupported manifest media type \"{mediaType}\"");
        return new ManifestResponse(bytes, mediaType, wanted.IsDefault || wanted.Algorithm == "sha256" ? digest : wanted);
    }

    /// <summary>Opens blob <paramref name="digest"/> for reading (redirects followed). With
    /// <paramref name="verify"/>, the stream throws <see cref="DigestMismatchException"/> at its end when
    /// the bytes are not the digest's (or not <paramref name="size"/> long, when size is not negative).</summary>
    public async Task<Stream> OpenBlobAsync(ImageReference image, Digest digest, long size, bool verify, CancellationToken ct = default)
    {
        var endpoint = await GetEndpointAsync(image.Registry, ct).ConfigureAwait(false);
        var response = await SendAsync(endpoint, image.Repository,
            () => new HttpRequestMessage(HttpMethod.Get, ApiUri(endpoint, image.Repository, "blobs", digest.ToString())), ct).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
                throw await RegistryErrors.FromResponseAsync(response, $"fetching blob {digest} from {image.Name}", _options.IdleTimeout, ct).ConfigureAwait(false);
            Stream stream = new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), _options.IdleTimeout,
                $"fetching blob {digest} from {image.Name}");
            return verify ? new DigestVerifyingStream(stream, digest, size) : stream;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Reads a small blob (a config) whole and verifies its digest and size.</summary>
    public async Task<byte[]> ReadBlobAsync(ImageReference image, Digest digest, long size, long maxSize, CancellationToken ct = default)
    {
        if (size > maxSize)
            throw new RegistryException($"blob {digest} of {size} bytes is larger than the limit of {maxSize}");
        await using var stream = await OpenBlobAsync(image, digest, size, verify: true, ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        try
        {
            while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > maxSize)
                    throw new RegistryException($"blob {digest} is larger than the limit of {maxSize} bytes");
                buffer.Write(chunk, 0, n);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RegistryException($"fetching blob {digest} from {image.Name}: {ErrorText.Of(e)}", e) { IsTransient = true };
        }
        return buffer.ToArray();
    }

    public void Dispose()
    {
        _verifying.Dispose();
        _unverified.Dispose();
    }

    private static Digest Verify(Digest wanted, byte[] bytes) => wanted.Algorithm == "sha256"
        ? Digest.Sha256(bytes)
        : Digest.Parse("sha512:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(bytes)));

    private static Uri ApiUri(RegistryEndpoint endpoint, string repository, string kind, string reference) =>
        new(endpoint.BaseUri, $"v2/{repository}/{kind}/{reference}");

    private static HttpClient CreateHttpClient(TimeSpan connectTimeout, bool verify)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = RegistryErrors.MaxRedirects,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseCookies = false,
        };
        if (!verify)
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("skiff/0.1");
        return client;
    }
}
