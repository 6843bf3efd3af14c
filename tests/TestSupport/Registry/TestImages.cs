using System.Diagnostics;

namespace Skiff.TestSupport.Registry;

/// <summary>
/// Test images pushed to a <see cref="LocalRegistry"/> with skopeo from an OCI layout built here:
///   busybox: one layer, /bin/busybox (from busybox-static) with /bin/sh and common applets as symlinks;
///   layered: busybox + a layer adding /etc/removed and /data/old/file + a layer whiting out
///            /etc/removed (.wh.removed) and making /data/old opaque (.wh..wh..opq) with /data/old/new;
///   multi-arch: an index with the host's platform and linux/s390x (both busybox layers).
/// </summary>
public static class TestImages
{
    public const string BusyboxPath = "/bin/busybox";

    private static readonly string[] Applets =
    [
        "sh", "ls", "cat", "echo", "true", "false", "sleep", "id", "env", "mkdir", "rm", "touch", "test",
        "ps", "grep", "head", "wc", "pwd", "uname", "hostname", "mount", "stat", "readlink", "whoami", "printf", "kill",
    ];

    private static readonly Lazy<BuiltLayer> BusyboxLayer = new(BuildBusyboxLayer);

    /// <summary>The busybox layer, to build other images on.</summary>
    public static BuiltLayer Busybox => BusyboxLayer.Value;

    public static PushedImage PushBusybox(LocalRegistry registry, string repositoryAndTag) =>
        PushBusyboxAsync(registry, repositoryAndTag).GetAwaiter().GetResult();

    public static PushedImage PushLayered(LocalRegistry registry, string repositoryAndTag) =>
        PushLayeredAsync(registry, repositoryAndTag).GetAwaiter().GetResult();

    public static Task<PushedImage> PushBusyboxAsync(LocalRegistry registry, string repositoryAndTag, CancellationToken ct = default) =>
        PushImageAsync(registry, repositoryAndTag, [BusyboxLayer.Value], ct);

    public static Task<PushedImage> PushLayeredAsync(LocalRegistry registry, string repositoryAndTag, CancellationToken ct = default)
    {
        var add = new LayerBuilder()
            .Directory("etc").File("etc/removed", "to be removed\n")
            .Directory("data").Directory("data/old").File("data/old/file", "old\n")
            .Build();
        var whiteout = new LayerBuilder()
            .Directory("etc").File("etc/.wh.removed", [])
            .Directory("data").Directory("data/old").File("data/old/.wh..wh..opq", [])
            .File("data/old/new", "new\n")
            .Build();
        return PushImageAsync(registry, repositoryAndTag, [BusyboxLayer.Value, add, whiteout], ct);
    }

    /// <summary>Pushes an index with the host's platform (busybox) and linux/s390x; returns the host image, with <see cref="PushedImage.IndexDigest"/> set.</summary>
    public static async Task<PushedImage> PushMultiArchAsync(LocalRegistry registry, string repositoryAndTag, CancellationToken ct = default)
    {
        using var dir = new TempDir();
        var layout = new OciLayoutBuilder(dir.Path);
        var host = layout.AddImage([BusyboxLayer.Value]);
        var other = layout.AddImage([BusyboxLayer.Value], architecture: "s390x", cmd: ["other-arch"]);
        var index = layout.AddIndex([other, host]);
        layout.Tag(index, OciLayoutBuilder.IndexMediaType, "image");
        string reference = $"{registry.HostPort}/{repositoryAndTag}";
        await SkopeoCopyAsync(layout.Directory, "image", reference, all: true, ct).ConfigureAwait(false);
        return PushedImage.From(reference, host, index.Digest);
    }

    /// <summary>Pushes an image made of <paramref name="layers"/> (bottom first).</summary>
    public static async Task<PushedImage> PushImageAsync(LocalRegistry registry, string repositoryAndTag, IReadOnlyList<BuiltLayer> layers, CancellationToken ct = default)
    {
        using var dir = new TempDir();
        var layout = new OciLayoutBuilder(dir.Path);
        var image = layout.AddImage(layers);
        layout.Tag(image.Manifest, OciLayoutBuilder.ManifestMediaType, "image");
        string reference = $"{registry.HostPort}/{repositoryAndTag}";
        await SkopeoCopyAsync(layout.Directory, "image", reference, all: false, ct).ConfigureAwait(false);
        return PushedImage.From(reference, image, null);
    }

    /// <summary>skopeo copy oci:LAYOUT:REF docker://DEST over plain http, digests preserved.</summary>
    public static async Task SkopeoCopyAsync(string layoutDir, string refName, string destination, bool all, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo("skopeo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["--insecure-policy", "copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false"])
            psi.ArgumentList.Add(arg);
        if (all) psi.ArgumentList.Add("--all");
        psi.ArgumentList.Add($"oci:{layoutDir}:{refName}");
        psi.ArgumentList.Add($"docker://{destination}");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start skopeo");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"skopeo copy to {destination} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
    }

    private static BuiltLayer BuildBusyboxLayer()
    {
        if (!File.Exists(BusyboxPath))
            throw new InvalidOperationException($"{BusyboxPath} is missing: apt-get install busybox-static");
        var layer = new LayerBuilder()
            .Directory("bin")
            .File("bin/busybox", File.ReadAllBytes(BusyboxPath), (UnixFileMode)0b111_101_101);
        foreach (string applet in Applets) layer.Symlink($"bin/{applet}", "busybox");
        return layer
            .Directory("etc")
            .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
            .File("etc/group", "root:x:0:\nnogroup:x:65534:\n")
            .Directory("root", (UnixFileMode)0b111_000_000)
            .Directory("tmp", (UnixFileMode)0b1_111_111_111)
            .Build();
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("skiff-oci-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

/// <summary>What was pushed, for assertions: digests as "sha256:hex".</summary>
public sealed record PushedImage(string Reference, string ManifestDigest, string ConfigDigest, IReadOnlyList<BuiltLayer> Layers, string? IndexDigest)
{
    internal static PushedImage From(string reference, BuiltImage image, string? indexDigest) =>
        new(reference, image.Manifest.Digest, image.Config.Digest, image.Layers, indexDigest);
}
