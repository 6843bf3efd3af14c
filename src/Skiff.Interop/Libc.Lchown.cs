using System.Runtime.InteropServices;

namespace Skiff.Interop;

public static partial class Libc
{
    /// <summary>lchown(2): the owner of <paramref name="path"/> itself (a final symlink is not followed).</summary>
    [LibraryImport(Name, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownRaw(string path, uint uid, uint gid);

    /// <summary>lchown(2), throwing an <see cref="ErrnoException"/> naming the path on failure.</summary>
    public static void Lchown(string path, uint uid, uint gid)
    {
        if (LchownRaw(path, uid, gid) != 0) ThrowErrno($"lchown {path}");
    }
}
