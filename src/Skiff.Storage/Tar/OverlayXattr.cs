using Skiff.Interop;

namespace Skiff.Storage.Tar;

/// <summary>
/// Which xattr namespace overlayfs reads for opaque directories. Real root in the initial user namespace
/// writes trusted.overlay.*; anyone else can only write user.overlay.*, and those layers must be mounted
/// with the "userxattr" option.
/// </summary>
public static class OverlayXattr
{
    private static readonly Lazy<bool> s_userXattr = new(() => !UserNamespaceInfo.IsRealRoot);

    /// <summary>True when this process must use user.overlay.* (and mounts need "userxattr").</summary>
    public static bool UsesUserXattr => s_userXattr.Value;

    public static string OpaqueName(bool userXattr) => userXattr ? "user.overlay.opaque" : "trusted.overlay.opaque";

    /// <summary>True when <paramref name="xattrName"/> is overlayfs's own (a layer must never carry those).</summary>
    public static bool IsOverlayPrivate(string xattrName)
        => xattrName.StartsWith("trusted.overlay.", StringComparison.Ordinal)
        || xattrName.StartsWith("user.overlay.", StringComparison.Ordinal);
}
