using System.Runtime.InteropServices;

namespace Skiff.Interop;

/// <summary>mount(2)/umount2(2) for the storage part's overlay mounts (named apart from the runtime's mount calls).</summary>
public static partial class Libc
{
    public const int MNT_DETACH_FLAG = 2;

    [LibraryImport(Name, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountOverlayRaw(string source, string target, string fstype, ulong flags, string data);

    [LibraryImport(Name, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Overlay(string target, int flags);

    /// <summary>mount -t overlay overlay TARGET -o DATA.</summary>
    public static void MountOverlay(string target, string data)
        => Check(MountOverlayRaw("overlay", target, "overlay", 0, data), $"mount overlay on {target}");

    /// <summary>umount2(TARGET, MNT_DETACH).</summary>
    public static void UnmountDetach(string target)
        => Check(Umount2Overlay(target, MNT_DETACH_FLAG), $"umount {target}");
}
