using System.Text.Json;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage.Images;
using Skiff.Storage.Locking;
using Skiff.Interop;

namespace Skiff.Storage;

public sealed partial class ImageStore
{
    private const int MaxImagesFileSize = 64 << 20;

    private string ImagesPath => Path.Combine(GraphRoot, "images.json");

    private List<ImageRecord> ListImagesCore()
    {
        EnsureOpen();
        using (FileLock.AcquireShared(LockPath))
            return LoadImages();
    }

    private ImageRecord? FindImageCore(string nameOrId) => ImageLookup.Find(ListImagesCore(), nameOrId);

    private void AddImageCore(ImageRecord image)
    {
        if (image.Id.Length == 0) throw new ArgumentException("image record without an id", nameof(image));
        EnsureOpen();
        using (FileLock.AcquireExclusive(LockPath))
            AddImageLocked(image);
    }

    /// <summary>Records <paramref name="image"/>; the caller holds storage.lock exclusively.</summary>
    private void AddImageLocked(ImageRecord image)
    {
        long size = 0;
        foreach (string layer in image.Layers)
        {
            var info = GetLayer(ParseLayerId(layer))
                ?? throw new InvalidOperationException($"image {image.Id}: layer {layer} is not in the store");
            size += info.Size;
        }
        image.Size = size;
        var images = LoadImages();
        foreach (var other in images)
            other.Names.RemoveAll(n => image.Names.Contains(n, StringComparer.Ordinal));
        int existing = images.FindIndex(i => i.Id == image.Id);
        if (existing >= 0)
        {
            var names = image.Names.Concat(images[existing].Names).Distinct(StringComparer.Ordinal).ToList();
            image.Names = names;
            images[existing] = image;
        }
        else
        {
            images.Add(image);
        }
        SaveImages(images);
    }

    /// <summary>Takes <paramref name="name"/> off image <paramref name="id"/>; the image stays, possibly with no name.</summary>
    public void Untag(string id, string name)
    {
        EnsureOpen();
        using (FileLock.AcquireExclusive(LockPath))
        {
            var images = LoadImages();
            var image = images.Find(i => i.Id == id) ?? throw new ImageNotFoundException($"{id}: image not known");
            image.Names.Remove(name);
            SaveImages(images);
        }
    }

    /// <summary>
    /// Gives image <paramref name="id"/> the name <paramref name="name"/> (appended to its names), taking it off any
    /// other image that holds it, as podman's tag does; one locked rewrite of the image list.
    /// </summary>
    public void AddName(string id, string name)
    {
        EnsureOpen();
        using (FileLock.AcquireExclusive(LockPath))
        {
            var images = LoadImages();
            var image = images.Find(i => i.Id == id) ?? throw new ImageNotFoundException($"{id}: image not known");
            if (image.Names.Contains(name, StringComparer.Ordinal)) return;
            foreach (var other in images) other.Names.Remove(name);
            image.Names.Add(name);
            SaveImages(images);
        }
    }

    /// <summary>
    /// Takes <paramref name="names"/> off image <paramref name="id"/> (all its names when null), in one locked rewrite;
    /// the image stays, possibly with no name. Returns the names it took off; a name the image does not hold is left
    /// out of the result and changes nothing.
    /// </summary>
    public IReadOnlyList<string> RemoveNames(string id, IReadOnlyCollection<string>? names)
    {
        EnsureOpen();
        using (FileLock.AcquireExclusive(LockPath))
        {
            var images = LoadImages();
            var image = images.Find(i => i.Id == id) ?? throw new ImageNotFoundException($"{id}: image not known");
            var removed = image.Names.Where(n => names is null || names.Contains(n, StringComparer.Ordinal)).ToList();
            if (removed.Count == 0) return removed;
            image.Names.RemoveAll(removed.Contains);
            SaveImages(images);
            return removed;
        }
    }

    private string UseLockPath => Path.Combine(GraphRoot, "use.lock");

    private FileLock AcquireUseLockCore()
    {
        EnsureOpen();
        return FileLock.AcquireShared(UseLockPath);
    }

    private void RemoveImageCore(string id, Action? check)
    {
        EnsureOpen();
        using (FileLock.AcquireExclusive(UseLockPath))
        using (FileLock.AcquireExclusive(LockPath))
        {
            check?.Invoke();
            var images = LoadImages();
            if (images.RemoveAll(i => i.Id == id) == 0)
                throw new ImageNotFoundException($"{id}: image not known");
            SaveImages(images);
            CollectGarbage(images);
        }
    }

    /// <summary>Removes layers and blobs that no image in <paramref name="images"/> uses. Caller holds the exclusive lock.</summary>
    private void CollectGarbage(List<ImageRecord> images)
    {
        var layers = new HashSet<string>(StringComparer.Ordinal);
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            blobs.Add(image.ManifestDigest);
            blobs.Add(image.ConfigDigest);
            foreach (string layer in image.Layers)
            {
                var chainId = ParseLayerId(layer);
                layers.Add(chainId.Hex);
                if (GetLayer(chainId) is { } info) blobs.Add(info.Blob);
            }
            foreach (string blob in ManifestLayerBlobs(image.ManifestDigest)) blobs.Add(blob);
        }

        foreach (string dir in Directory.EnumerateDirectories(LayersDir))
        {
            string name = Path.GetFileName(dir);
            if (name.StartsWith(LockedTempDir.Prefix, StringComparison.Ordinal) || layers.Contains(name)) continue;
            Trees.RenameThenRemove(dir);
        }
        foreach (string algDir in Directory.EnumerateDirectories(BlobsDir))
        {
            string alg = Path.GetFileName(algDir);
            if (alg == "tmp") continue;
            foreach (string file in Directory.EnumerateFiles(algDir))
                if (!blobs.Contains($"{alg}:{Path.GetFileName(file)}")) File.Delete(file);
        }
    }

    private IEnumerable<string> ManifestLayerBlobs(string manifestDigest)
    {
        if (!Digest.TryParse(manifestDigest, out var digest) || !HasBlob(digest)) return [];
        try
        {
            var manifest = JsonSerializer.Deserialize(ReadBlobCore(digest), ImageJsonContext.Default.ImageManifest);
            return manifest?.Layers.Select(l => l.Digest) ?? [];
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or DigestMismatchException)
        {
            return [];
        }
    }

    private static Digest ParseLayerId(string layer)
        => Digest.TryParse(layer, out var d) ? d : Digest.Parse("sha256:" + layer);

    private List<ImageRecord> LoadImages()
    {
        if (!File.Exists(ImagesPath)) return [];
        using var fs = new FileStream(ImagesPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (fs.Length > MaxImagesFileSize)
            throw new InvalidDataException($"{ImagesPath}: larger than {MaxImagesFileSize} bytes");
        try
        {
            return JsonSerializer.Deserialize(fs, StorageJsonContext.Default.ImagesFile)?.Images ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ImagesPath}: not a valid image list: {ErrorText.Of(e)}", e);
        }
    }

    private void SaveImages(List<ImageRecord> images)
        => AtomicFile.WriteAllBytes(ImagesPath,
            JsonSerializer.SerializeToUtf8Bytes(new ImagesFile { Images = images }, StorageJsonContext.Default.ImagesFile));
}
