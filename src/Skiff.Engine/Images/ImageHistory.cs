using Skiff.Oci;
using Skiff.Storage;

namespace Skiff.Engine.Images;

/// <summary>
/// One entry of an image's history, newest first, as podman's `history` reports it: the id is the image's for the
/// top entry, that of the first image whose top layer is the entry's layer when no earlier entry showed that image,
/// and "&lt;missing&gt;" otherwise; the size is the layer's uncompressed size (0 for an empty-layer entry).
/// </summary>
public sealed record ImageHistoryEntry(string Id, DateTimeOffset? Created, string CreatedBy, long Size, string Comment)
{
    public const string Missing = "<missing>";

    /// <summary>podman's (libimage) walk: the config's history from the newest entry down, with a layer pointer
    /// that starts at the top layer and goes to its parent after each entry that is not an empty layer.</summary>
    internal static List<ImageHistoryEntry> Of(ImageService images, ImageRecord image)
    {
        var history = images.ReadConfig(image)?.History ?? [];
        var all = images.Store.ListImages();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<ImageHistoryEntry>(history.Count);
        int layer = image.Layers.Count - 1;
        for (int x = history.Count - 1; x >= 0; x--)
        {
            var h = history[x];
            bool empty = h.EmptyLayer == true;
            string id = x == history.Count - 1 ? image.Id : Missing;
            long size = 0;
            if (layer >= 0)
            {
                string chainId = image.Layers[layer];
                if (!empty) size = images.Store.GetLayer(LayerDigest(chainId))?.Size ?? 0;
                // An image whose top layer this is (podman's layer tree): the first one, once.
                if (all.FirstOrDefault(i => i.Layers.Count > 0 && i.Layers[^1] == chainId) is { } top && used.Add(top.Id))
                    id = top.Id;
                if (!empty) layer--;
            }
            entries.Add(new ImageHistoryEntry(id, h.Created, h.CreatedBy ?? "", size, h.Comment ?? ""));
        }
        return entries;
    }

    private static Digest LayerDigest(string layer) => Digest.TryParse(layer, out var d) ? d : Digest.Parse("sha256:" + layer);
}
