using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;
using Skiff.TestSupport.Registry;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// Layer tars written by real tools, pulled from the local registry and run, side by side with podman:
/// umoci's (no padding or end-of-archive blocks after the last entry) and GNU tar's with a binary
/// security.capability PAX record.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class LayerTarTests(SkiffEnvironment env)
{
    private readonly Harness.Podman _podman = new(env);

    private static string Repo(string name) => $"library/{name}{Guid.NewGuid().ToString("N")[..6]}";

    private static CommandResult Run(string program, params string[] args)
    {
        var r = Command.Run(program, args);
        Assert.True(r.ExitCode == 0, $"{program} {string.Join(' ', args)}: {r}");
        return r;
    }

    /// <summary>The uncompressed bytes of a gzip blob; empty for any other blob.</summary>
    private static byte[] Gunzip(string path)
    {
        byte[] blob = File.ReadAllBytes(path);
        if (blob.Length < 2 || blob[0] != 0x1f || blob[1] != 0x8b) return [];
        using var gz = new System.IO.Compression.GZipStream(new MemoryStream(blob), System.IO.Compression.CompressionMode.Decompress);
        using var tar = new MemoryStream();
        gz.CopyTo(tar);
        return tar.ToArray();
    }

    [RequiresProgramsFact("umoci", "podman", Root = true)]
    public void A_layer_umoci_insert_wrote_pulls_and_runs_as_in_podman()
    {
        string dir = Directory.CreateTempSubdirectory("skiff-umoci-").FullName;
        try
        {
            var layout = new OciLayoutBuilder(Path.Combine(dir, "layout"));
            var image = layout.AddImage([TestImages.Busybox]);
            layout.Tag(image.Manifest, OciLayoutBuilder.ManifestMediaType, "image");
            File.WriteAllText(Path.Combine(dir, "added.txt"), "written by umoci\n");
            Run("umoci", "insert", "--image", Path.Combine(dir, "layout") + ":image", Path.Combine(dir, "added.txt"), "/added.txt");
            // umoci 0.4.7 ends its layer right after the last file's data: no padding, no end-of-archive blocks.
            byte[] layer = Directory.EnumerateFiles(Path.Combine(dir, "layout", "blobs", "sha256")).Select(Gunzip)
                .Single(t => t.AsSpan().EndsWith("written by umoci\n"u8));
            Assert.Equal(512 + 17, layer.Length);
            string reference = $"{env.Registry}/{Repo("umoci")}:latest";
            TestImages.SkopeoCopyAsync(Path.Combine(dir, "layout"), "image", reference, all: false).GetAwaiter().GetResult();

            var skiff = env.Skiff("run", "--rm", "--tls-verify=false", reference, "cat", "/added.txt");
            var podman = _podman.Run("runc", "run", "--rm", "--tls-verify=false", reference, "cat", "/added.txt");
            Assert.True(skiff.ExitCode == 0, skiff.ToString());
            Assert.Equal("written by umoci\n", skiff.Stdout);
            Assert.Equal(podman.Stdout, skiff.Stdout);
            var rootless = env.SkiffRootless("run", "--rm", "--tls-verify=false", reference, "cat", "/added.txt");
            Assert.True(rootless.ExitCode == 0, rootless.ToString());
            Assert.Equal("written by umoci\n", rootless.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [RequiresProgramsFact("setcap", "tar", "podman", Root = true)]
    public void A_file_capability_in_a_layer_is_kept_rootful_and_rootless_as_in_podman()
    {
        string dir = Directory.CreateTempSubdirectory("skiff-fcap-").FullName;
        try
        {
            // GNU tar's PAX record for cap_setfcap (bit 31: the byte 0x80, not UTF-8) and cap_net_bind_service.
            string bin = Path.Combine(dir, "capbin");
            Directory.CreateDirectory(bin);
            File.Copy(TestImages.BusyboxPath, Path.Combine(bin, "busybox"));
            File.CreateSymbolicLink(Path.Combine(bin, "grep"), "busybox");
            Run("setcap", "cap_setfcap,cap_net_bind_service+ep", Path.Combine(bin, "busybox"));
            string tar = Path.Combine(dir, "layer.tar");
            Run("tar", "--xattrs", "--xattrs-include=security.capability", "--format=posix", "-C", dir, "-cf", tar, "capbin");
            string reference = $"{env.Registry}/{Repo("fcap")}:latest";
            TestImages.PushImageAsync(env.LocalRegistry, reference[(env.Registry.Length + 1)..], [TestImages.Busybox, LayerBuilder.FromTar(File.ReadAllBytes(tar))])
                .GetAwaiter().GetResult();

            // A non-root user gets the file's permitted set on exec, limited by the bounding set.
            string[] run = ["run", "--rm", "--tls-verify=false", "--user", "1000", reference, "/capbin/grep", "CapEff", "/proc/self/status"];
            var podman = _podman.Run("runc", run);
            Assert.True(podman.ExitCode == 0, podman.ToString());
            Assert.Equal("CapEff:\t0000000080000400\n", podman.Stdout);
            var skiff = env.Skiff(run);
            Assert.True(skiff.ExitCode == 0, skiff.ToString());
            Assert.Equal(podman.Stdout, skiff.Stdout);
            // Rootless, the kernel stores it as a v3 capability rooted in the user's namespace: it still works there.
            var rootless = env.SkiffRootless(run);
            Assert.True(rootless.ExitCode == 0, rootless.ToString());
            Assert.Equal(podman.Stdout, rootless.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [RequiresProgramsFact("podman", Root = true)]
    public void A_layer_cut_inside_a_file_is_refused_naming_the_file_as_podman_refuses_it()
    {
        using var tarBytes = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tarBytes, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: true))
            writer.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "cut") { DataStream = new MemoryStream(new byte[4000]) });
        byte[] cut = tarBytes.ToArray()[..(512 + 1000)];
        string repo = Repo("cut");
        TestImages.PushImageAsync(env.LocalRegistry, repo + ":latest", [TestImages.Busybox, LayerBuilder.FromTar(cut)]).GetAwaiter().GetResult();
        string reference = $"{env.Registry}/{repo}:latest";

        var podman = _podman.Run("runc", "pull", "-q", "--tls-verify=false", reference);
        Assert.Equal(125, podman.ExitCode);
        var skiff = env.Skiff("pull", "-q", "--tls-verify=false", reference);
        Assert.Equal(125, skiff.ExitCode);
        Assert.Contains("tar entry \"cut\" is truncated: the layer ends 3000 bytes before the end of its data (4000 bytes according to its header)", skiff.Stderr, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\b[A-Z][A-Za-z]*_[A-Za-z_]+\b", skiff.Stderr); // no .NET resource key
        Assert.Equal(1, env.Skiff("image", "exists", reference).ExitCode);
    }
}
