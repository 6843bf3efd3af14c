using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Skiff.EndToEnd.Harness;

/// <summary>
/// Writes an OCI image layout whose layers the test describes entry by entry, including entries no honest
/// image has (path escapes, symlinked parents), and pushes it with skopeo, an independent client.
/// </summary>
public sealed class OciLayoutBuilder
{
    private readonly List<List<TarEntry>> _layers = [];

    public OciLayoutBuilder Layer(params TarEntry[] entries)
    {
        _layers.Add([.. entries]);
        return this;
    }

    public static TarEntry File(string name, string content)
        => new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = (UnixFileMode)0b110_100_100 };

    public static TarEntry Dir(string name) => new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101 };

    public static TarEntry Symlink(string name, string target) => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target };

    /// <summary>Writes the layout to <paramref name="dir"/> and pushes it to registry/repository:latest.</summary>
    public void Push(string dir, string registry, string repository)
    {
        string blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        var diffIds = new List<string>();
        var layerDescs = new List<string>();
        foreach (var layer in _layers)
        {
            var tar = new MemoryStream();
            using (var w = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
                foreach (var e in layer) w.WriteEntry(e);
            diffIds.Add($"\"sha256:{Hex(tar.ToArray())}\"");
            var gz = new MemoryStream();
            using (var g = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) g.Write(tar.ToArray());
            layerDescs.Add(Blob(blobs, gz.ToArray(), "application/vnd.oci.image.layer.v1.tar+gzip"));
        }
        string arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64";
        string config = $"{{\"architecture\":\"{arch}\",\"os\":\"linux\",\"config\":{{\"Cmd\":[\"sh\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{string.Join(',', diffIds)}]}}}}";
        string configDesc = Blob(blobs, Encoding.UTF8.GetBytes(config), "application/vnd.oci.image.config.v1+json");
        string manifest = $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{configDesc},\"layers\":[{string.Join(',', layerDescs)}]}}";
        string manifestDesc = Blob(blobs, Encoding.UTF8.GetBytes(manifest), "application/vnd.oci.image.manifest.v1+json");
        System.IO.File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        System.IO.File.WriteAllText(Path.Combine(dir, "index.json"),
            $"{{\"schemaVersion\":2,\"manifests\":[{manifestDesc[..^1]},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"latest\"}}}}]}}");
        Command.Must("skopeo", "copy", "-q", "--dest-tls-verify=false", $"oci:{dir}:latest", $"docker://{registry}/{repository}:latest");
    }

    private static string Blob(string blobs, byte[] data, string mediaType)
    {
        string hex = Hex(data);
        System.IO.File.WriteAllBytes(Path.Combine(blobs, hex), data);
        return $"{{\"mediaType\":\"{mediaType}\",\"digest\":\"sha256:{hex}\",\"size\":{data.Length}}}";
    }

    private static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
