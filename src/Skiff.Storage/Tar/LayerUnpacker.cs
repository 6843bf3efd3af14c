using System.Formats.Tar;
using Skiff.Interop;

namespace Skiff.Storage.Tar;

/// <summary>What <see cref="LayerUnpacker.Apply"/> did.</summary>
public readonly record struct UnpackResult(int Entries, long ContentBytes);

/// <summary>
/// Applies a layer tar (OCI image-spec layer.md) to a directory as an overlayfs "diff": OCI whiteouts become
/// overlay whiteouts (char 0:0) and opaque-directory xattrs. Nothing is ever resolved through a symlink
/// (parents are opened one by one with O_NOFOLLOW from the layer root's fd), so no entry can touch
/// anything outside <c>layerDir</c>. Parsing is System.Formats.Tar's (ustar, GNU long names, PAX).
/// </summary>
public static class LayerUnpacker
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    public static UnpackResult Apply(Stream tar, string layerDir, UnpackOptions? options = null)
    {
        options ??= new UnpackOptions();
        using var writer = new LayerWriter(layerDir, options);
        using var guarded = new TarMetadataGuard(tar);
        using var reader = new TarReader(guarded, leaveOpen: true);
        int entries = 0, headers = 0;
        long bytes = 0;
        string? previous = null;
        TarEntry? entry;
        while ((entry = NextEntry(reader, guarded, headers, previous)) is not null)
        {
            // Raw xattrs belong to this entry only if the guard followed the same headers as the reader.
            if (guarded.Headers != ++headers)
                throw new LayerUnpackException($"tar entry \"{entry.Name}\": the tar structure is inconsistent (header {headers} of the reader, {guarded.Headers} of the layer), refused");
            previous = entry.Name;
            if (++entries > options.MaxEntries)
                throw new LayerUnpackException($"layer has more than {options.MaxEntries} entries: refused");
            CheckLength(entry.Name, "name", options);
            CheckLength(entry.LinkName, "link target", options);
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
            {
                bytes += entry.Length;
                if (bytes > options.MaxTotalBytes)
                    throw new LayerUnpackException($"tar entry \"{entry.Name}\": layer content exceeds the limit of {options.MaxTotalBytes} bytes");
            }
            try { ApplyEntry(writer, entry, guarded.Xattrs); }
            catch (TarTruncatedException e) { throw Truncated(e, entry.Name, entry.Length); }
        }
        writer.FinishDirectories();
        return new UnpackResult(entries, bytes);
    }

    /// <summary>The next entry; the reader's own exceptions (resource keys under NativeAOT) as sentences that
    /// name the entry before the broken place.</summary>
    private static TarEntry? NextEntry(TarReader reader, TarMetadataGuard guarded, int headers, string? previous)
    {
        try { return reader.GetNextEntry(copyData: false); }
        catch (TarTruncatedException e) { throw Truncated(e, previous, null); }
        catch (TarMetadataTooLargeException e)
        {
            throw new LayerUnpackException($"layer tar has a '{e.Type}' metadata entry of {e.Size} bytes " +
                $"{(previous is null ? "at its start" : $"after entry \"{previous}\"")}: over the limit of {TarMetadataGuard.MaxMetadataSize} bytes, refused", e);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or InvalidOperationException
            or EndOfStreamException or OverflowException or IndexOutOfRangeException or NotSupportedException)
        {
            // The guard counted the refused header when it is an entry's (not a PAX or GNU one before it): name it.
            if (guarded.Headers > headers)
                throw new LayerUnpackException($"tar entry \"{guarded.HeaderName}\": its header is invalid ({What(e)})", e);
            string where = previous is null ? "the first header" : $"the header after entry \"{previous}\"";
            throw new LayerUnpackException($"layer tar is malformed: {where} is invalid ({What(e)})", e);
        }
    }

    private static LayerUnpackException Truncated(TarTruncatedException e, string? entry, long? size) => e.Where switch
    {
        TarTruncation.Data when entry is not null => new LayerUnpackException(
            $"tar entry \"{entry}\" is truncated: the layer ends {e.Missing} bytes before the end of its data" +
            (size is long s ? $" ({s} bytes according to its header)" : ""), e),
        TarTruncation.Header => new LayerUnpackException(
            $"layer tar is truncated: it ends inside {(entry is null ? "the first header" : $"the header after entry \"{entry}\"")}", e),
        _ => new LayerUnpackException(
            $"layer tar is truncated: it ends inside the extended (PAX or GNU) header {(entry is null ? "of the first entry" : $"after entry \"{entry}\"")}", e),
    };

    private static string What(Exception e) => e switch
    {
        EndOfStreamException => "unexpected end of the data",
        FormatException or OverflowException => "a number field is not valid",
        InvalidDataException => "a field or the checksum is not valid",
        _ => "a field is out of range",
    };

    private static void CheckLength(string text, string what, UnpackOptions options)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) > options.MaxNameLength)
            throw new LayerUnpackException($"tar entry \"{text[..Math.Min(64, text.Length)]}...\": {what} longer than {options.MaxNameLength} bytes");
    }

    private static void ApplyEntry(LayerWriter writer, TarEntry entry, IReadOnlyList<KeyValuePair<string, byte[]>> xattrs)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes) return;
        string[] path = EntryName.Normalize(entry.Name);
        if (path.Length == 0)
        {
            if (entry.EntryType != TarEntryType.Directory)
                throw new LayerUnpackException($"tar entry \"{entry.Name}\": the layer root must be a directory");
            writer.RootDirectory(entry);
            return;
        }
        string leaf = path[^1];
        if (leaf == OpaqueWhiteout)
        {
            writer.Opaque(entry.Name, path[..^1]);
            return;
        }
        if (leaf.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            string hidden = leaf[WhiteoutPrefix.Length..];
            if (hidden is "" or "." or ".." || hidden.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
                throw new LayerUnpackException($"tar entry \"{entry.Name}\": malformed whiteout");
            writer.Whiteout(entry.Name, [.. path[..^1], hidden]);
            return;
        }
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                writer.Directory(entry, path, xattrs);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                writer.RegularFile(entry, path, xattrs);
                break;
            case TarEntryType.SymbolicLink:
                writer.Symlink(entry, path, xattrs);
                break;
            case TarEntryType.HardLink:
                writer.HardLink(entry, path, EntryName.Normalize(entry.LinkName));
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                writer.Node(entry, path, xattrs);
                break;
            default:
                throw new LayerUnpackException($"tar entry \"{entry.Name}\": unsupported entry type {entry.EntryType}");
        }
    }
}
