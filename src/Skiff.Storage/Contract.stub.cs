// TEMPORARY guesses of the storage part's API so the engine compiles before it lands. Deleted at merge.
namespace Skiff.Storage;
public sealed class FileLock : IDisposable { public static FileLock Acquire(string path, bool exclusive) => throw new NotImplementedException(path + exclusive); public void Dispose() { } }
public static class AtomicFile { public static void WriteAllBytes(string path, byte[] bytes) => throw new NotImplementedException(path + bytes.Length); }
public sealed record ContainerLayer(string Upper, string Work, string Merged);
public sealed class ContainerLayerStore(string graphRoot)
{
    public ContainerLayer Create(string id) => throw new NotImplementedException(graphRoot + id);
    public void Remove(string id) => throw new NotImplementedException(id);
    public static string OverlayMountOptions(IReadOnlyList<string> lowerDirsTopFirst, string upper, string work) => throw new NotImplementedException(upper + work + lowerDirsTopFirst.Count);
    public static void Mount(string target, string options) => throw new NotImplementedException(target + options);
    public static void Unmount(string target) => throw new NotImplementedException(target);
}
