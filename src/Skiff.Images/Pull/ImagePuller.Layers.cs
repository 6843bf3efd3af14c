using Skiff.Images.Distribution;
using Skiff.Images.References;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Storage.Tar;
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

    /// <summary>
    /// Stages every layer the store lacks: its blob downloaded (once, however many layers use it), then unpacked, in
    /// the pull's private area, a few layers at a time; a layer whose blob the store has is unpacked from that.
    /// </summary>
    private async Task FetchLayersAsync(RegistryClient client, ImageReference reference, ImageReference source,
        List<LayerPlan> layers, ImageStore.PullStaging staging, PullProgress progress, PullRetry retry, CancellationToken ct)
    {
        var seen = new HashSet<Digest>();
        var missing = new List<IGrouping<Digest, LayerPlan>>();
        foreach (var group in layers.Where(l => seen.Add(l.ChainId)).GroupBy(l => l.Blob))
        {
            if (group.All(l => _store.HasLayer(l.ChainId)))
                progress.Line($"Copying blob {group.Key.ShortId} skipped: already exists");
            else
                missing.Add(group);
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ParallelDownloads, CancellationToken = ct };
        await Parallel.ForEachAsync(missing, parallel, async (group, token) =>
        {
            var first = group.First();
            if (!TryPrepareFromStore(reference, group, staging))
            {
                // podman's wording when stderr is not a terminal: the full digest as the copy starts.
                progress.Line($"Copying blob {first.Blob}");
                await retry.RunAsync(async () =>
                {
                    try
                    {
                        await using var stream = await client.OpenBlobAsync(source, first.Blob, first.Size, verify: false, token).ConfigureAwait(false);
                        await staging.PutBlobAsync(first.Blob, first.Size, stream, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is RegistryException or DigestMismatchException or HttpRequestException or IOException)
                    {
                        throw new PullException($"copying blob {first.Blob} of {reference}: {ErrorText.Of(e)}", e);
                    }
                }, token).ConfigureAwait(false);
                foreach (var layer in group) Prepare(reference, layer, staging, token);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Unpacks the layers of a blob the store already has (left by an earlier pull); false when it has not
    /// (or an rmi removed it meanwhile), so the blob is downloaded.</summary>
    private bool TryPrepareFromStore(ImageReference reference, IEnumerable<LayerPlan> group, ImageStore.PullStaging staging)
    {
        if (!_store.HasBlob(group.First().Blob)) return false;
        try
        {
            foreach (var layer in group)
                if (!_store.HasLayer(layer.ChainId)) Prepare(reference, layer, staging, CancellationToken.None);
            return true;
        }
        catch (PullException e) when (e.InnerException is FileNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Unpacks one layer into the staging area, with errors that name it.</summary>
    private static void Prepare(ImageReference reference, LayerPlan layer, ImageStore.PullStaging staging, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        try
        {
            staging.PrepareLayer(layer.ChainId, layer.DiffId, layer.Blob, layer.MediaType);
        }
        catch (DigestMismatchException e)
        {
            throw new PullException($"applying layer {layer.Blob} of {reference}: diff id {layer.DiffId}: {ErrorText.Of(e)}", e);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or LayerUnpackException)
        {
            throw new PullException($"applying layer {layer.Blob} of {reference}: {ErrorText.Of(e)}", e);
        }
    }
}
