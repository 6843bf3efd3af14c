using System.Buffers;
using Skiff.Oci;
using Skiff.Storage.Blobs;
using Skiff.Storage.Locking;
using Skiff.Storage.Space;

namespace Skiff.Storage;

public sealed partial class ImageStore
{
    /// <summary>The largest blob <see cref="ReadBlob"/> reads whole (manifests and configs are far smaller).</summary>
    public const int MaxSmallBlobSize = 8 << 20;

    /// <summary>The largest blob accepted when the caller does not know its size.</summary>
    public long MaxBlobSize { get; set; } = 64L << 30;

    private string BlobsDir => Path.Combine(GraphRoot, "blobs");
    private string BlobTmpDir => Path.Combine(BlobsDir, "tmp");

    private string BlobPathCore(Digest digest)
    {
        if (digest.IsDefault) throw new ArgumentException("empty digest", nameof(digest));
        return Path.Combine(BlobsDir, digest.Algorithm, digest.Hex);
    }

    private async Task PutBlobCoreAsync(Digest expected, long expectedSize, Stream content, CancellationToken cancellationToken)
    {
        EnsureOpen();
        string final = BlobPathCore(expected);
        if (File.Exists(final)) return;
        using var tmp = LockedTempDir.Create(BlobTmpDir);
        string data = Path.Combine(tmp.Path, "data");
        await WriteVerifiedBlobAsync(expected, expectedSize, content, data, SpaceGuard(), cancellationToken).ConfigureAwait(false);
        MoveBlobIntoPlace(data, final);
        AtomicFile.FsyncDirectory(Path.GetDirectoryName(final)!);
    }

    /// <summary>Writes <paramref name="content"/> to the new file <paramref name="data"/> (fsynced), checking its size
    /// (when <paramref name="expectedSize"/> is not negative), its digest and the store's free-space reserve.</summary>
    private async Task WriteVerifiedBlobAsync(Digest expected, long expectedSize, Stream content, string data, FreeSpaceGuard space, CancellationToken cancellationToken)
    {
        long limit = expectedSize >= 0 ? expectedSize : MaxBlobSize;
        string what = $"writing blob {expected}";
        if (expectedSize > 0) space.Require(expectedSize, $"blob {expected}");
        using var hash = DigestHasher.Create(expected.Algorithm);
        long total = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            await using (var fs = new FileStream(data, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: false))
            {
                int n;
                while ((n = await content.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += n;
                    if (total > limit)
                        throw new DigestMismatchException(expectedSize >= 0
                            ? $"blob {expected}: size mismatch: more than the expected {expectedSize} bytes"
                            : $"blob {expected}: larger than the limit of {limit} bytes");
                    hash.AppendData(buffer, 0, n);
                    space.Wrote(n, what);
                    await fs.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
                fs.Flush(flushToDisk: true);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (expectedSize >= 0 && total != expectedSize)
            throw new DigestMismatchException($"blob {expected}: size mismatch: expected {expectedSize} bytes, got {total}");
        string actual = DigestHasher.Finish(hash, expected.Algorithm);
        if (actual != expected.ToString())
            throw new DigestMismatchException($"blob {expected}: digest mismatch: got {actual}");
    }

    /// <summary>Renames a verified blob file to its place in blobs/ALG/ (the caller fsyncs the directory).</summary>
    private static void MoveBlobIntoPlace(string data, string final)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        File.Move(data, final, overwrite: true); // same content if a concurrent writer won
    }

    private byte[] ReadBlobCore(Digest digest)
    {
        string path = BlobPathCore(digest);
        using var fs = OpenBlob(digest, path);
        long len = fs.Length;
        if (len > MaxSmallBlobSize)
            throw new InvalidDataException($"blob {digest}: {len} bytes, more than the {MaxSmallBlobSize} bytes read whole");
        var bytes = new byte[len];
        fs.ReadExactly(bytes);
        using var hash = DigestHasher.Create(digest.Algorithm);
        hash.AppendData(bytes);
        string actual = DigestHasher.Finish(hash, digest.Algorithm);
        if (actual != digest.ToString())
            throw new DigestMismatchException($"blob {digest}: digest mismatch: got {actual} (store corrupted)");
        return bytes;
    }

    private static FileStream OpenBlob(Digest digest, string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (FileNotFoundException) { throw new FileNotFoundException($"blob {digest}: not in the store", path); }
        catch (DirectoryNotFoundException) { throw new FileNotFoundException($"blob {digest}: not in the store", path); }
    }
}
