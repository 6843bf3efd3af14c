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
        int entries = 0;
        long bytes = 0;
        TarEntry? entry;
        while ((entry = NextEntry(reader)) is not null)
        {
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
            ApplyEntry(writer, entry);
        }
        writer.FinishDirectories();
        return new UnpackResult(entries, bytes);
    }

    private static TarEntry? NextEntry(TarReader reader)
    {
        try { return reader.GetNextEntry(copyData: false); }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or InvalidOperationException or EndOfStreamException)
        {
            throw new LayerUnpackException($"layer tar is malformed: {ErrorText.Of(e)}", e);
        }
    }

    private static void CheckLength(string text, string what, UnpackOptions options)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) > options.MaxNameLength)
            throw new LayerUnpackException($"tar entry \"{text[..Math.Min(64, text.Length)]}...\": {what} longer than {options.MaxNameLength} bytes");
    }

    private static void ApplyEntry(LayerWriter writer, TarEntry entry)
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
                writer.Directory(entry, path);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                writer.RegularFile(entry, path);
                break;
            case TarEntryType.SymbolicLink:
                writer.Symlink(entry, path);
                break;
            case TarEntryType.HardLink:
                writer.HardLink(entry, path, EntryName.Normalize(entry.LinkName));
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                writer.Node(entry, path);
                break;
            default:
                throw new LayerUnpackException($"tar entry \"{entry.Name}\": unsupported entry type {entry.EntryType}");
        }
    }
}
