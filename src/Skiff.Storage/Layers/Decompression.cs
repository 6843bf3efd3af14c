using System.IO.Compression;

namespace Skiff.Storage.Layers;

/// <summary>Opens a layer blob as an uncompressed tar stream. The compression is recognised by its magic
/// bytes (as containers/image does), so a blob whose media type misstates it still unpacks.</summary>
internal static class Decompression
{
    private static readonly byte[] s_gzip = [0x1f, 0x8b];
    private static readonly byte[] s_zstd = [0x28, 0xb5, 0x2f, 0xfd];

    public static Stream Open(FileStream blob, string mediaType)
    {
        if (!IsLayerMediaType(mediaType))
        {
            blob.Dispose();
            throw new NotSupportedException($"layer media type \"{mediaType}\": not supported");
        }
        Span<byte> magic = stackalloc byte[4];
        int n = blob.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        blob.Seek(0, SeekOrigin.Begin);
        if (n >= 2 && magic[..2].SequenceEqual(s_gzip)) return new GZipStream(blob, CompressionMode.Decompress, leaveOpen: false);
        if (n >= 4 && magic.SequenceEqual(s_zstd)) return new ZstdSharp.DecompressionStream(blob, leaveOpen: false);
        return blob;
    }

    /// <summary>OCI and Docker layer types, distributable or not, plain, gzip or zstd; empty means unknown (accepted).</summary>
    public static bool IsLayerMediaType(string mediaType)
        => mediaType.Length == 0
        || mediaType.StartsWith("application/vnd.oci.image.layer.", StringComparison.Ordinal)
        || mediaType.StartsWith("application/vnd.docker.image.rootfs.", StringComparison.Ordinal);
}
