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
/// platform's manifest), config, then the missing layers, downloaded and unpacked in a staging area with no store
/// lock held; one short commit moves them in and records the image, so a pull killed at any moment leaves no image
/// listed, and a registry that stalls blocks nobody else. Progress lines are podman's;
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

    /// <summary>
    /// Pulls one fully-qualified reference. The registry is read with no store lock held: blobs are downloaded and
    /// layers unpacked in a private staging area, which one short step under the store's locks then moves into place
    /// with the image record (so a stalled registry blocks no rmi, images, run or other pull).
    /// </summary>
    public async Task<ImageRecord> PullAsync(ImageReference reference, PullOptions options, CancellationToken ct)
    {
        var progress = new PullProgress(options.Quiet ? null : options.Progress);
        var retry = new PullRetry(options, progress);
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
            ConnectTimeout = options.ConnectTimeout,
            IdleTimeout = options.IdleTimeout,
        });

        var platform = options.Platform ?? PlatformSpec.Host;
        var (top, manifest) = await retry.RunAsync(() => FetchManifestAsync(client, reference, source, platform, ct), ct).ConfigureAwait(false);
        var image = ParseManifest(reference, manifest);

        progress.Line("Getting image source signatures");
        var config = await retry.RunAsync(() => FetchConfigAsync(client, reference, source, image.Config, ct), ct).ConfigureAwait(false);
        var layers = PlanLayers(reference, image, config.File);

        for (int attempt = 0; ; attempt++)
        {
            using var staging = _store.BeginPull();
            await FetchLayersAsync(client, reference, source, layers, staging, progress, retry, ct).ConfigureAwait(false);
            await PutBlobAsync(staging, reference, config.Digest, config.Bytes, ct).ConfigureAwait(false);
            progress.Line($"Copying config {config.Digest}");

            progress.Line("Writing manifest to image destination");
            if (top.Digest != manifest.Digest) await PutBlobAsync(staging, reference, top.Digest, top.Bytes, ct).ConfigureAwait(false);
            await PutBlobAsync(staging, reference, manifest.Digest, manifest.Bytes, ct).ConfigureAwait(false);
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
            ct.ThrowIfCancellationRequested();
            try
            {
                staging.Commit(record);
                return record;
            }
            catch (LayerMissingException) when (attempt < 2)
            {
                // An rmi removed a layer this image shares after we saw it: fetch it too, and commit again.
            }
        }
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
            // containers/image's words for a list inside a list (nested, or naming itself): refused before fetching.
            if (MediaTypes.IsIndex(chosen.MediaType) || chosen.Digest == top.Digest.ToString())
                throw new RegistryException(NestedIndex(chosen.Digest, platform, chosen.Digest == top.Digest.ToString()));
            var manifest = await client.GetManifestAsync(source, chosen.Digest, ct).ConfigureAwait(false);
            if (manifest.IsIndex)
                throw new RegistryException(NestedIndex(chosen.Digest, platform, self: false));
            return (top, manifest);
        }
        catch (Exception e) when (e is RegistryException or DigestMismatchException)
        {
            throw new PullException($"choosing an image from manifest list docker://{reference}: {ErrorText.Of(e)}", e);
        }
    }

    private static string NestedIndex(string digest, PlatformSpec platform, bool self) =>
        $"unexpectedly received a manifest list instead of a manifest for a single image: the entry for {platform} ({digest}) is "
        + (self ? "the manifest list itself" : "itself a manifest list") + "; nested manifest lists are not supported";

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
        byte[]? bytes = null;
        try
        {
            if (_store.HasBlob(digest))
            {
                try { bytes = _store.ReadBlob(digest); }
                catch (FileNotFoundException) { } // removed meanwhile by an rmi: fetched below
            }
            bytes ??= await client.ReadBlobAsync(source, digest, descriptor.Size, RegistryClient.MaxConfigSize, ct).ConfigureAwait(false);
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

    private static async Task PutBlobAsync(ImageStore.PullStaging staging, ImageReference reference, Digest digest, byte[] bytes, CancellationToken ct)
    {
        try
        {
            await staging.PutBlobAsync(digest, bytes, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DigestMismatchException or IOException)
        {
            throw new PullException($"writing {digest} of {reference}: {ErrorText.Of(e)}", e);
        }
    }
}
