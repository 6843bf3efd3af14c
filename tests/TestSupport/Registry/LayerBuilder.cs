using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Skiff.TestSupport.Registry;

/// <summary>Builds one image layer: a ustar archive with root-owned entries and a fixed mtime, gzip-compressed.</summary>
public sealed class LayerBuilder
{
    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly MemoryStream _tar = new();
    private readonly TarWriter _writer;

    public LayerBuilder() => _writer = new TarWriter(_tar, TarEntryFormat.Ustar, leaveOpen: true);

    public LayerBuilder Directory(string path, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        _writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, path.TrimEnd('/') + "/") { Mode = mode, ModificationTime = Epoch });
        return this;
    }

    public LayerBuilder File(string path, byte[] content, UnixFileMode mode = (UnixFileMode)0b110_100_100)
    {
        _writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, path)
        {
            Mode = mode,
            ModificationTime = Epoch,
            DataStream = new MemoryStream(content, writable: false),
        });
        return this;
    }

    public LayerBuilder File(string path, string content) => File(path, System.Text.Encoding.UTF8.GetBytes(content));

    /// <summary>A character device node (what a hostile image might ship: /dev/kvm is c 10:232).</summary>
    public LayerBuilder CharacterDevice(string path, int major, int minor)
    {
        _writer.WriteEntry(new UstarTarEntry(TarEntryType.CharacterDevice, path)
        {
            DeviceMajor = major, DeviceMinor = minor, Mode = (UnixFileMode)0b110_110_110, ModificationTime = Epoch,
        });
        return this;
    }

    public LayerBuilder Symlink(string path, string target)
    {
        _writer.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, path) { LinkName = target, Mode = (UnixFileMode)0b111_111_111, ModificationTime = Epoch });
        return this;
    }

    /// <summary>A layer from a tar made elsewhere (GNU tar, umoci), as it is: gzip-compressed, its diff id computed.</summary>
    public static BuiltLayer FromTar(byte[] tar)
    {
        using var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            zip.Write(tar);
        return new BuiltLayer(gz.ToArray(), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)));
    }

    /// <summary>Finishes the archive: the gzip blob and the digest of the uncompressed tar (the diff id).</summary>
    public BuiltLayer Build()
    {
        _writer.Dispose();
        return FromTar(_tar.ToArray());
    }
}

/// <summary>A finished layer: its gzip bytes and the sha256 of the uncompressed tar.</summary>
public sealed record BuiltLayer(byte[] Gzip, string DiffId)
{
    public const string MediaType = "application/vnd.oci.image.layer.v1.tar+gzip";
    public string Digest { get; } = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Gzip));
}
