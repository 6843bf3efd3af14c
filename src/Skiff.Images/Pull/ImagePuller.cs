using System.Text.Json;
using Skiff.Images.Distribution;
using Skiff.Images.References;
using Skiff.Images.Registries;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Interop;

namespace Skiff.Images.Pull;

/// <summary>
/// Pulls an image from a registry into the <see cref="ImageStore"/>: manifest (index resolved to the
/// platform's manifest), config, then the missing layers; the image is recorded only after every
/// layer exists, so a pull killed at any moment leaves no image listed. Progress lines are podman's;
/// printing the returned record's <see cref="ImageRecord.Id"/> on stdout is the caller's job.
/// </summary>
public sealed partial class ImagePuller
{
    private const int ParallelDownloads = 3;

    private readonly ImageStore _store;
    private readonly RegistriesConfig _config;

    public ImagePuller(ImageStore store, RegistriesConfig config)
    {
        _store = store;
        _config = config;
    }

    /// <summary>Pulls what the user typed: a full name, or a short name tried against each
    /// unqualified-search registry in order (the first that has it wins).</summary>
    public async Task<ImageRecord> PullAsync(string userInput, PullOptions options, CancellationToken ct)
    {
        IReadOnlyList<ImageReference> candidates;
        try
        {
            candidates = new ShortNameResolver(_config).Candidates(userInput);
        }
        catch (ShortNameException e)
        {
            throw new PullException(e.Message, e);
        }

        var errors = new List<PullException>();
        foreach (var candidate in candidates)
        {
            try
            {
                return await PullAsync(candidate, options, ct).ConfigureAwait(false);
            }
            catch (PullException e) when (candidates.Count > 1)
            {
                errors.Add(e);
            }
        }
        throw new PullException($"{errors.Count} errors occurred: " + string.Join("; ", errors.Select(e => e.Message)), errors[^1])
        {
            IsNotFound = errors.TrueForAll(e => e.IsNotFound),
        };
    }

    /// <summary>Pulls one fully-qualified reference.</summary>
    public async Task<ImageRecord> PullAsync(ImageReference reference, PullOptions options, CancellationToken ct)
    {
        // No garbage collection between storing the first blob and recording the image.
        using var use = _store.AcquireUseLock();
        var progress = new PullProgress(options.Quiet ? null : options.Progress);
        progress.Line($"Trying to pull {reference}...");

        ImageReference source;
        try
        {
            source = _config.Resolve(reference);
        }
        catch (RegistryBlockedException e)
        {
            throw new PullException($"initializing source docker://{reference}: {ErrorText.Of(e)}", e);
        }

        using var client = new RegistryClient(new RegistryClientOptions
        {
            TlsVerify = options.TlsVerify,
            Config = _config,
            Credentials = options.Credentials ?? RegistryCredentials.Default(),
        });

        var (top, manifest) = await FetchManifestAsync(client, reference, source, options.Platform ?? PlatformSpec.Host, ct).ConfigureAwait(false);
        var image = ParseManifest(reference, manifest);

        progress.Line("Getting image source signatures");
        var config = await FetchConfigAsync(client, reference, source, image.Config, ct).ConfigureAwait(false);
        var layers = PlanLayers(reference, image, config.File);

        await DownloadLayersAsync(client, reference, source, layers, progress, ct).ConfigureAwait(false);
        await PutBlobAsync(reference, image.Config.Digest, config.Bytes, ct).ConfigureAwait(false);
        progress.Line($"Copying config {config.Digest}");

        CreateLayers(reference, layers, ct);

        progress.Line("Writing manifest to image destination");
        if (top.Digest != manifest.Digest) await PutBlobAsync(reference, top.Digest.ToString(), top.Bytes, ct).ConfigureAwait(false);
        await PutBlobAsync(reference, manifest.Digest.ToString(), manifest.Bytes, ct).ConfigureAwait(false);
        progress.Line("Storing signatures");

        var record = new ImageRecord
        {
            Id = config.Digest.Hex,
            Names = [reference.ToString()],
            ManifestDigest = top.Digest.ToString(),
            ConfigDigest = config.Digest.ToString(),
            Layers = layers.Select(l => l.ChainId.ToString()).ToList(),
            Created = config.File.Created ?? DateTimeOffset.UnixEpoch,
        };
        _store.AddImage(record);
        return record;
    }

    private static async Task<(ManifestResponse Top, ManifestResponse Manifest)> FetchManifestAsync(
        RegistryClient client, ImageReference reference, ImageReference source, PlatformSpec platform, CancellationToken ct)
    {
        ManifestResponse top;
        try
        {
            top = await client.GetManifestAsync(source, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or DigestMismatchException)
        {
            throw new PullException($"initializing source docker://{reference}: {ErrorText.Of(e)}", e)
            {
                IsNotFound = e is RegistryException { IsNotFound: true },
            };
        }
        if (!top.IsIndex) return (top, top);

        try
        {
            var chosen = PlatformSelector.Select(top.ParseIndex(), platform);
            var manifest = await client.GetManifestAsync(source, chosen.Digest, ct).ConfigureAwait(false);
            if (manifest.IsIndex)
                throw new RegistryException($"manifest {chosen.Digest} is an index inside an index, which is not supported");
            return (top, manifest);
        }
        catch (Exception e) when (e is RegistryException or DigestMismatchException)
        {
            throw new PullException($"choosing an image from manifest list docker://{reference}: {ErrorText.Of(e)}", e);
        }
    }

    private static ImageManifest ParseManifest(ImageReference reference, ManifestResponse response)
    {
        try
        {
            var manifest = response.ParseManifest();
            if (manifest.SchemaVersion != 2)
                throw new RegistryException($"manifest {response.Digest} has schemaVersion {manifest.SchemaVersion}, expected 2");
            return manifest;
        }
        catch (RegistryException e)
        {
            throw new PullException($"reading manifest of {reference}: {ErrorText.Of(e)}", e);
        }
    }

    private sealed record ConfigBlob(Digest Digest, byte[] Bytes, ImageConfigFile File);

    private async Task<ConfigBlob> FetchConfigAsync(RegistryClient client, ImageReference reference, ImageReference source, Descriptor descriptor, CancellationToken ct)
    {
        if (!Digest.TryParse(descriptor.Digest, out var digest))
            throw new PullException($"reading manifest of {reference}: invalid config digest \"{descriptor.Digest}\"");
        byte[] bytes;
        try
        {
            bytes = _store.HasBlob(digest)
                ? _store.ReadBlob(digest)
                : await client.ReadBlobAsync(source, digest, descriptor.Size, RegistryClient.MaxConfigSize, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or DigestMismatchException)
        {
            throw new PullException($"reading config {digest} of {reference}: {ErrorText.Of(e)}", e);
        }
        try
        {
            var file = JsonSerializer.Deserialize(bytes, ImageJsonContext.Default.ImageConfigFile)
                ?? throw new JsonException("empty document");
            return new ConfigBlob(digest, bytes, file);
        }
        catch (JsonException e)
        {
            throw new PullException($"parsing config {digest} of {reference}: {ErrorText.Of(e)}", e);
        }
    }

    private async Task PutBlobAsync(ImageReference reference, string digest, byte[] bytes, CancellationToken ct)
    {
        var d = Digest.Parse(digest);
        if (_store.HasBlob(d)) return;
        using var stream = new MemoryStream(bytes, writable: false);
        try
        {
            await _store.PutBlobAsync(d, bytes.Length, stream, ct).ConfigureAwait(false);
        }
        catch (DigestMismatchException e)
        {
            throw new PullException($"writing {d} of {reference}: {ErrorText.Of(e)}", e);
        }
    }
}
