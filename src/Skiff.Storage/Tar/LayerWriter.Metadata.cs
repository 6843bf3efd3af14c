using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using Skiff.Interop;

namespace Skiff.Storage.Tar;

internal sealed partial class LayerWriter
{
    private const string SchilyXattr = "SCHILY.xattr.";
    private const string LibarchiveXattr = "LIBARCHIVE.xattr.";

    /// <summary>Ownership from the header; EPERM/EINVAL (unprivileged, id not mapped) ignored when allowed.</summary>
    private void Chown(TarEntry entry, Func<int> chown)
    {
        if (chown() != -1) return;
        int errno = Marshal.GetLastPInvokeError();
        if (_options.IgnoreChownErrors && errno is Errno.EPERM or Errno.EINVAL) return;
        throw new ErrnoException($"tar entry \"{entry.Name}\": chown {entry.Uid}:{entry.Gid}", errno);
    }

    /// <summary>Extended attributes from PAX records, best effort (a filesystem or privilege that refuses
    /// one is not an error). Overlay's own xattrs are never taken from a layer.</summary>
    private static void SetXattrs(TarEntry entry, SafeFd fdOrParent, string? leaf)
    {
        if (entry is not PaxTarEntry pax) return;
        foreach (var (key, value) in pax.ExtendedAttributes)
        {
            string name;
            byte[] bytes;
            if (key.StartsWith(SchilyXattr, StringComparison.Ordinal))
            {
                if (value.Contains('\uFFFD', StringComparison.Ordinal)) continue; // binary value lost in decoding
                name = key[SchilyXattr.Length..];
                bytes = Encoding.UTF8.GetBytes(value);
            }
            else if (key.StartsWith(LibarchiveXattr, StringComparison.Ordinal))
            {
                name = Uri.UnescapeDataString(key[LibarchiveXattr.Length..]);
                try { bytes = Convert.FromBase64String(value); }
                catch (FormatException) { continue; }
            }
            else continue;
            if (name.Length == 0 || OverlayXattr.IsOverlayPrivate(name)) continue;
            _ = leaf is null
                ? Libc.Fsetxattr(fdOrParent.Fd, name, bytes, (nuint)bytes.Length, 0)
                : Libc.Lsetxattr(ProcPath(fdOrParent, leaf), name, bytes, (nuint)bytes.Length, 0);
        }
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
