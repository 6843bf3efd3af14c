namespace Skiff.Interop;

/// <summary>The storage part's overlay mounts, over the one mount(2)/umount2(2) import in Libc.Mount.cs.</summary>
public static partial class Libc
{
    /// <summary>mount -t overlay overlay TARGET -o DATA.</summary>
    public static void MountOverlay(string target, string data)
        => Check(Mount("overlay", target, "overlay", 0, data), $"mount overlay on {target}");

    /// <summary>umount2(TARGET, MNT_DETACH).</summary>
    public static void UnmountDetach(string target)
        => Check(Umount2(target, MNT_DETACH), $"umount {target}");
}
