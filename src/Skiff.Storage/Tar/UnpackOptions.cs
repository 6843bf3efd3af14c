namespace Skiff.Storage.Tar;

/// <summary>Limits and choices for <see cref="LayerUnpacker.Apply"/>. The defaults suit registry images.</summary>
public sealed class UnpackOptions
{
    /// <summary>Most entries one layer may hold.</summary>
    public int MaxEntries { get; set; } = 1_000_000;

    /// <summary>Longest entry name or link target, bytes.</summary>
    public int MaxNameLength { get; set; } = 4096;

    /// <summary>Most bytes of file content one layer may unpack to.</summary>
    public long MaxTotalBytes { get; set; } = 64L << 30;

    /// <summary>Mark opaque directories with user.overlay.opaque (true) or trusted.overlay.opaque (false);
    /// null: decide by <see cref="OverlayXattr.UsesUserXattr"/>.</summary>
    public bool? UseUserXattr { get; set; }

    /// <summary>Ignore lchown's EPERM/EINVAL (unprivileged, id not mapped), as podman's ignore_chown_errors.</summary>
    public bool IgnoreChownErrors { get; set; } = true;
}
