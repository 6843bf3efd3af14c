using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using Skiff.Interop;

namespace Skiff.Storage.Tar;

internal sealed partial class LayerWriter
{
    private const string LibarchiveXattr = "LIBARCHIVE.xattr.";

    /// <summary>Ownership from the header; EPERM/EINVAL (unprivileged, id not mapped) ignored when allowed.</summary>
    private void Chown(TarEntry entry, Func<int> chown)
    {
        if (chown() != -1) return;
        int errno = Marshal.GetLastPInvokeError();
        if (_options.IgnoreChownErrors && errno is Errno.EPERM or Errno.EINVAL) return;
        throw new ErrnoException($"tar entry \"{entry.Name}\": chown {entry.Uid}:{entry.Gid}", errno);
    }

    /// <summary>Extended attributes from PAX records, best effort as podman's (a filesystem or privilege that
    /// refuses one is not an error): SCHILY.xattr.* with their raw bytes (binary values such as
    /// security.capability included; in a user namespace the kernel stores a capability as a v3 one rooted
    /// there), LIBARCHIVE.xattr.* base64-decoded. Overlay's own xattrs are never taken from a layer.</summary>
    private static void SetXattrs(TarEntry entry, IReadOnlyList<KeyValuePair<string, byte[]>> raw, SafeFd fdOrParent, string? leaf)
    {
        foreach (var (name, bytes) in raw)
            SetXattr(name, bytes, fdOrParent, leaf);
        if (entry is not PaxTarEntry pax) return;
        foreach (var (key, value) in pax.ExtendedAttributes)
        {
            if (!key.StartsWith(LibarchiveXattr, StringComparison.Ordinal)) continue;
            string name = Uri.UnescapeDataString(key[LibarchiveXattr.Length..]);
            byte[] bytes;
            try { bytes = Convert.FromBase64String(value); }
            catch (FormatException) { continue; }
            SetXattr(name, bytes, fdOrParent, leaf);
        }
    }

    private static void SetXattr(string name, byte[] bytes, SafeFd fdOrParent, string? leaf)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal) || OverlayXattr.IsOverlayPrivate(name)) return;
        _ = leaf is null
            ? Libc.Fsetxattr(fdOrParent.Fd, name, bytes, (nuint)bytes.Length, 0)
            : Libc.Lsetxattr(ProcPath(fdOrParent, leaf), name, bytes, (nuint)bytes.Length, 0);
    }

    /// <summary>atime and mtime both from the header's mtime.</summary>
    private static Libc.Timespec[] Times(TarEntry entry)
    {
        long ticks = entry.ModificationTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long sec = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0) { sec--; rem += TimeSpan.TicksPerSecond; }
        var t = new Libc.Timespec { Sec = sec, Nsec = rem * 100 };
        return [t, t];
    }
}
