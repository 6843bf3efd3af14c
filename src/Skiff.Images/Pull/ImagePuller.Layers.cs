using Skiff.Images.Distribution;
using Skiff.Images.References;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Interop;

namespace Skiff.Images.Pull;

public sealed partial class ImagePuller
{
    private static readonly HashSet<string> SupportedLayerTypes =
    [
        MediaTypes.OciLayer, MediaTypes.OciLayerGzip, MediaTypes.OciLayerZstd,
        MediaTypes.DockerLayerGzip, MediaTypes.DockerForeignLayerGzip,
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    ];

    /// <summary>One layer to have: its blob (compressed), its diff id and chain id.</summary>
    private sealed record LayerPlan(Digest Blob, long Size, string MediaType, Digest DiffId, Digest ChainId);

    private static List<LayerPlan> PlanLayers(ImageReference reference, ImageManifest manifest, ImageConfigFile config)
    {
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
            throw new PullException($"pulling {reference}: the manifest has {manifest.Layers.Count} layers but the config lists {diffIds.Count} diff ids");

        var parsedDiffIds = new List<Digest>(diffIds.Count);
        foreach (string d in diffIds)
            parsedDiffIds.Add(Digest.TryParse(d, out var diffId) ? diffId : throw new PullException($"pulling {reference}: invalid diff id \"{d}\" in the config"));
        var chainIds = ChainId.Compute(parsedDiffIds);

        var plan = new List<LayerPlan>(diffIds.Count);
        for (int i = 0; i < manifest.Layers.Count; i++)
        {
            var layer = manifest.Layers[i];
            if (!Digest.TryParse(layer.Digest, out var blob))
                throw new PullException($"pulling {reference}: invalid layer digest \"{layer.Digest}\" in the manifest");
            if (!SupportedLayerTypes.Contains(layer.MediaType))
                throw new PullException($"pulling {reference}: layer {blob} has unsupported media type \"{layer.MediaType}\"");
            plan.Add(new LayerPlan(blob, layer.Size, layer.MediaType, parsedDiffIds[i], chainIds[i]));
        }
        return plan;
    }

    private async Task DownloadLayersAsync(RegistryClient client, ImageReference reference, ImageReference source,
        List<LayerPlan> layers, PullProgress progress, CancellationToken ct)
    {
        var seen = new HashSet<Digest>();
        var missing = new List<LayerPlan>();
        foreach (var layer in layers)
        {
            if (!seen.Add(layer.Blob)) continue;
            if (_store.HasLayer(layer.ChainId) || _store.HasBlob(layer.Blob))
                progress.Line($"Copying blob {layer.Blob.ShortId} skipped: already exists");
            else
                missing.Add(layer);
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ParallelDownloads, CancellationToken = ct };
        await Parallel.ForEachAsync(missing, parallel, async (layer, token) =>
        {
            // podman's wording when stderr is not a terminal: the full digest as the copy starts.
            progress.Line($"Copying blob {layer.Blob}");
            try
            {
                await using var stream = await client.OpenBlobAsync(source, layer.Blob, layer.Size, verify: false, token).ConfigureAwait(false);
                await _store.PutBlobAsync(layer.Blob, layer.Size, stream, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RegistryException or DigestMismatchException or HttpRequestException or IOException)
            {
                throw new PullException($"copying blob {layer.Blob} of {reference}: {ErrorText.Of(e)}", e);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Unpacks the layers bottom to top; the store skips those it has.</summary>
    private void CreateLayers(ImageReference reference, List<LayerPlan> layers, CancellationToken ct)
    {
        foreach (var layer in layers)
        {
            ct.ThrowIfCancellationRequested();
            if (_store.HasLayer(layer.ChainId)) continue;
            try
            {
                _store.CreateLayer(layer.ChainId, layer.DiffId, layer.Blob, layer.MediaType);
            }
            catch (DigestMismatchException e)
            {
                throw new PullException($"applying layer {layer.Blob} of {reference}: diff id {layer.DiffId}: {ErrorText.Of(e)}", e);
            }
        }
    }
}
