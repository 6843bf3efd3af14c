using Skiff.Storage;

namespace Skiff.Engine.Images;

/// <summary>What front ends show of a local image (`images`, `pull`, `info`): no storage type crosses the seam.</summary>
/// <param name="Id">The image id: the hex of its config digest, without "sha256:".</param>
/// <param name="Names">Its names ("host/repo:tag"), none for a dangling image.</param>
/// <param name="Digest">The digest of its manifest ("sha256:...").</param>
/// <param name="Created">When the image was created (its config's time).</param>
/// <param name="Size">The uncompressed size of all its layers, bytes.</param>
public sealed record ImageSummary(string Id, IReadOnlyList<string> Names, string Digest, DateTimeOffset Created, long Size)
{
    internal static ImageSummary From(ImageRecord record) =>
        new(record.Id, [.. record.Names], record.ManifestDigest, record.Created, record.Size);
}
