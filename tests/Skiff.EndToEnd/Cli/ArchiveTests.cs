using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// `save` and `load` against podman 4.3 on this machine: archives go both ways (docker-archive and oci-archive,
/// one and several images, file and stdio) and the images run under the other engine; hostile archives are
/// refused with one line, exit 125, nothing written outside the store and no image or blob left behind.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class ArchiveTests(SkiffEnvironment env)
{
    private readonly Harness.Podman _podman = new(env);

    private static string NewStore(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    private string Pull(string store, string image)
    {
        var pull = env.SkiffIn(store, "pull", "-q", "--tls-verify=false", image);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        return pull.Stdout.Trim();
    }

    private static void Ok(CommandResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    private string SkiffShell(string store, string args)
        => $"'{env.SkiffPath}' --root '{Path.Combine(env.Work, store, "root")}' --runroot '{Path.Combine(env.Work, store, "run")}' {args}";

    private string[] Images(string store)
        => env.SkiffIn(store, "images", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [RequiresProgramsFact("podman")]
    public void Skiff_saves_archives_that_podman_loads_and_runs()
    {
        string store = NewStore("save");
        string busybox = Pull(store, env.Busybox);
        string layered = Pull(store, env.Layered);
        string dir = Directory.CreateTempSubdirectory("skiff-save-").FullName;

        // Two images in one docker-archive (-m), written through a temp file.
        string docker = Path.Combine(dir, "two.tar");
        var save = env.SkiffIn(store, "save", "-m", "-o", docker, env.Busybox, env.Layered);
        Ok(save);
        Assert.Equal("", save.Stdout);
        Assert.Contains($"Copying config sha256:{busybox}\n", save.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir, ".*"));
        // An oci-archive on stdout, quietly.
        string oci = Path.Combine(dir, "layered-oci.tar");
        var toStdout = Command.Run("sh", ["-c", SkiffShell(store, $"save -q --format oci-archive {env.Layered}:latest > '{oci}'")]);
        Ok(toStdout);
        Assert.Equal("", toStdout.Stderr);

        Ok(_podman.Run("runc", "rmi", "-f", $"{env.Busybox}:latest"));
        var load = _podman.Run("runc", "load", "-i", docker);
        Ok(load);
        Assert.Equal($"Loaded image: {env.Busybox}:latest\nLoaded image: {env.Layered}:latest\n", load.Stdout);
        Ok(_podman.Run("runc", "rmi", "-f", $"{env.Layered}:latest"));
        var loadOci = _podman.Run("runc", "load", "-q", "-i", oci);
        Ok(loadOci);
        Assert.Equal($"Loaded image: {env.Layered}:latest\n", loadOci.Stdout);

        var ids = _podman.Run("runc", "images", "--no-trunc", "--format", "{{.ID}}").Stdout;
        Assert.Contains(busybox, ids, StringComparison.Ordinal);
        Assert.Contains(layered, ids, StringComparison.Ordinal);
        Ok(_podman.Run("runc", "run", "--rm", $"{env.Busybox}:latest", "true"));
        var run = _podman.Run("runc", "run", "--rm", $"{env.Layered}:latest", "sh", "-c", "ls /");
        Ok(run);
        Directory.Delete(dir, recursive: true);
    }

    [RequiresProgramsFact("podman")]
    public void Podman_saved_archives_load_and_run_under_skiff()
    {
        Ok(_podman.Run("runc", "pull", "-q", "--tls-verify=false", env.Layered));
        string dir = Directory.CreateTempSubdirectory("skiff-load-").FullName;
        string docker = Path.Combine(dir, "docker.tar"), oci = Path.Combine(dir, "oci.tar");
        Ok(_podman.Run("runc", "save", "-q", "-m", "-o", docker, env.Busybox, env.Layered));
        Ok(_podman.Run("runc", "save", "-q", "--format", "oci-archive", "-o", oci, env.Layered));

        string store = NewStore("load");
        var load = env.SkiffIn(store, "load", "-i", docker);
        Ok(load);
        Assert.Equal($"Loaded image: {env.Busybox}:latest\nLoaded image: {env.Layered}:latest\n", load.Stdout);
        Assert.StartsWith("Getting image source signatures\nCopying blob sha256:", load.Stderr, StringComparison.Ordinal);
        Ok(env.SkiffIn(store, "run", "--rm", env.Busybox, "true"));
        var run = env.SkiffIn(store, "run", "--rm", env.Layered, "sh", "-c", "echo ok");
        Ok(run);
        Assert.Equal("ok\n", run.Stdout);

        // The oci-archive from stdin, into another store.
        string store2 = NewStore("load-oci");
        var fromStdin = Command.Run("sh", ["-c", SkiffShell(store2, $"load -q < '{oci}'")]);
        Ok(fromStdin);
        Assert.Equal($"Loaded image: {env.Layered}:latest\n", fromStdin.Stdout);
        Assert.Equal("", fromStdin.Stderr);
        Ok(env.SkiffIn(store2, "run", "--rm", env.Layered, "true"));
        // The spooled copy of stdin is gone.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(env.Work, store2, "root", "blobs", "tmp")));
        Directory.Delete(dir, recursive: true);
    }

    [RootFact]
    public void Save_refuses_as_podman_does()
    {
        string store = NewStore("saveerr");
        Pull(store, env.Busybox);
        string dir = Directory.CreateTempSubdirectory("skiff-saveerr-").FullName;
        string existing = Path.Combine(dir, "existing.tar");
        File.WriteAllText(existing, "keep");

        void Fails(string stderr, params string[] args)
        {
            var r = env.SkiffIn(store, args);
            Assert.True(r.ExitCode == 125, r.ToString());
            Assert.Equal("", r.Stdout);
            Assert.Equal(stderr, r.Stderr);
        }
        Fails("Error: nope: image not known\n", "save", "-o", Path.Combine(dir, "x.tar"), "nope");
        Fails("Error: format value must be one of oci-dir oci-archive docker-dir docker-archive\n", "save", "--format", "bogus", "-o", Path.Combine(dir, "x.tar"), "busybox");
        Fails("Error: need at least 1 argument\n", "save", "-o", Path.Combine(dir, "x.tar"));
        Fails("Error: unsupported format \"oci-archive\" for saving multiple images (only docker-archive)\n",
            "save", "-m", "--format", "oci-archive", "-o", Path.Combine(dir, "x.tar"), "busybox", "busybox");
        Fails("Error: docker-archive doesn't support modifying existing images\n", "save", "-o", existing, "busybox");
        Assert.Equal("keep", File.ReadAllText(existing));
        Assert.Equal(["existing.tar"], Directory.GetFiles(dir).Select(Path.GetFileName));
        Directory.Delete(dir, recursive: true);
    }

    // ---- hostile archives ----

    private sealed class Layer
    {
        public byte[] Tar { get; }
        public string DiffId { get; }
        public byte[] Config { get; }
        public string ConfigHex { get; }

        public Layer()
        {
            using var ms = new MemoryStream();
            using (var w = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
                w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "hello.txt") { DataStream = new MemoryStream("hello\n"u8.ToArray()) });
            Tar = ms.ToArray();
            DiffId = Hex(Tar);
            Config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:{{{DiffId}}}"]}}""");
            ConfigHex = Hex(Config);
        }
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    private static void Add(TarWriter w, string name, byte[] data)
        => w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });

    /// <summary>A docker-archive of <paramref name="layer"/>, with <paramref name="extra"/> entries first and what the test changes.</summary>
    private static string DockerArchive(string path, Layer layer, Action<TarWriter>? extra = null, string? configName = null, byte[]? layerTar = null,
        byte[]? manifest = null)
    {
        using var fs = File.Create(path);
        using var w = new TarWriter(fs, TarEntryFormat.Pax);
        extra?.Invoke(w);
        Add(w, layer.DiffId + ".tar", layerTar ?? layer.Tar);
        Add(w, layer.ConfigHex + ".json", layer.Config);
        Add(w, "manifest.json", manifest ?? Encoding.UTF8.GetBytes(
            $$"""[{"Config":"{{configName ?? layer.ConfigHex + ".json"}}","RepoTags":["localhost/hostile:1"],"Layers":["{{layer.DiffId}}.tar"]}]"""));
        return path;
    }

    private static string OciArchive(string path, Layer layer, byte[] layerBlob)
    {
        using var fs = File.Create(path);
        using var w = new TarWriter(fs, TarEntryFormat.Pax);
        Add(w, "oci-layout", """{"imageLayoutVersion": "1.0.0"}"""u8.ToArray());
        Add(w, "blobs/sha256/" + layer.DiffId, layerBlob);
        Add(w, "blobs/sha256/" + layer.ConfigHex, layer.Config);
        byte[] manifest = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{{layer.ConfigHex}}","size":{{layer.Config.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:{{layer.DiffId}}","size":{{layer.Tar.Length}}}]}""");
        Add(w, "blobs/sha256/" + Hex(manifest), manifest);
        Add(w, "index.json", Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{{{Hex(manifest)}}}","size":{{{manifest.Length}}},"annotations":{"org.opencontainers.image.ref.name":"localhost/hostile:oci"}}]}"""));
        return path;
    }

    [RootFact]
    public void Hostile_archives_are_refused_with_one_line_and_leave_nothing()
    {
        var layer = new Layer();
        string dir = Directory.CreateTempSubdirectory("skiff-hostile-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        string outside = Path.Combine(dir, "outside");
        byte[] tampered = [.. layer.Tar[..^1], 1];

        var cases = new (string Name, string Path, string Error)[]
        {
            ("dotdot", DockerArchive(Path.Combine(dir, "dotdot.tar"), layer, w => Add(w, "../outside", "x"u8.ToArray())),
                "archive entry \"../outside\" points outside the archive"),
            ("absolute", DockerArchive(Path.Combine(dir, "absolute.tar"), layer, w => Add(w, outside, "x"u8.ToArray())),
                $"archive entry \"{outside}\" points outside the archive"),
            ("config outside", DockerArchive(Path.Combine(dir, "cfg.tar"), layer, configName: "../../etc/passwd"),
                "\"../../etc/passwd\" points outside the archive"),
            ("config link outside", DockerArchive(Path.Combine(dir, "cfglink.tar"), layer,
                w => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link.json") { LinkName = "../../../etc/passwd" }), configName: "link.json"),
                "\"link.json\" is a link pointing outside the archive"),
            ("oversized manifest", DockerArchive(Path.Combine(dir, "big.tar"), layer, manifest: [(byte)'[', .. new byte[9 << 20].Select(_ => (byte)' '), (byte)']']),
                "\"manifest.json\" is 9437186 bytes, more than the limit of 8388608"),
            ("layer digest", DockerArchive(Path.Combine(dir, "badlayer.tar"), layer, layerTar: tampered),
                $"\"{layer.DiffId}.tar\": blob sha256:{layer.DiffId}: digest mismatch: got sha256:{Hex(tampered)}"),
            ("oci blob digest", OciArchive(Path.Combine(dir, "ocibad.tar"), layer, tampered),
                $"\"blobs/sha256/{layer.DiffId}\": blob sha256:{layer.DiffId}: digest mismatch: got sha256:{Hex(tampered)}"),
        };
        foreach (var (name, path, error) in cases)
        {
            string store = NewStore("hostile");
            var load = env.SkiffIn(store, "load", "-q", "-i", path);
            Assert.True(load.ExitCode == 125, $"{name}: {load}");
            Assert.Equal("", load.Stdout);
            Assert.Equal($"Error: {error}\n", load.Stderr);
            Assert.Empty(Images(store));
            string root = Path.Combine(env.Work, store, "root");
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, "layers")));
            Assert.Empty(Directory.GetFiles(Path.Combine(root, "blobs"), "*", SearchOption.AllDirectories));
        }
        Assert.False(File.Exists(outside));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(dir)!, "outside")));

        // The same archive unharmed loads (so the refusals above are the harm's doing), and runs.
        string okStore = NewStore("hostile-ok");
        var ok = env.SkiffIn(okStore, "load", "-q", "-i", DockerArchive(Path.Combine(dir, "ok.tar"), layer));
        Ok(ok);
        Assert.Equal("Loaded image: localhost/hostile:1\n", ok.Stdout);
        Assert.Equal([$"{layer.ConfigHex[..12]} localhost/hostile:1"], Images(okStore));
        Directory.Delete(dir, recursive: true);
    }

    [RootFact]
    public void A_failed_second_image_keeps_the_first_and_takes_away_what_the_second_stored()
    {
        var good = new Layer();
        string dir = Directory.CreateTempSubdirectory("skiff-half-").FullName;
        string path = Path.Combine(dir, "half.tar");
        byte[] otherTar = TarOf("other.txt", "other\n"u8.ToArray()), badTar = TarOf("bad.txt", "bad\n"u8.ToArray());
        string otherDiff = Hex(otherTar);
        // The second image's second layer is not what its config says: its first layer is stored by then.
        string wrongDiff = Hex("wrong"u8.ToArray());
        byte[] badConfig = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:{{{otherDiff}}}","sha256:{{{wrongDiff}}}"]}}""");
        using (var fs = File.Create(path))
        using (var w = new TarWriter(fs, TarEntryFormat.Pax))
        {
            Add(w, good.DiffId + ".tar", good.Tar);
            Add(w, good.ConfigHex + ".json", good.Config);
            Add(w, "other.tar", otherTar);
            Add(w, "bad.tar", badTar);
            Add(w, "bad.json", badConfig);
            Add(w, "manifest.json", Encoding.UTF8.GetBytes(
                $$"""[{"Config":"{{good.ConfigHex}}.json","RepoTags":["localhost/first:1"],"Layers":["{{good.DiffId}}.tar"]},{"Config":"bad.json","RepoTags":["localhost/second:1"],"Layers":["other.tar","bad.tar"]}]"""));
        }
        string store = NewStore("half");
        var load = env.SkiffIn(store, "load", "-q", "-i", path);
        Assert.True(load.ExitCode == 125, load.ToString());
        Assert.Equal($"Error: \"bad.tar\": blob sha256:{wrongDiff}: digest mismatch: got sha256:{Hex(badTar)}\n", load.Stderr);
        Assert.Equal([$"{good.ConfigHex[..12]} localhost/first:1"], Images(store));
        // The first image's layer, config and manifest; nothing of the second (its first layer was stored, then collected).
        string blobs = Path.Combine(env.Work, store, "root", "blobs", "sha256");
        Assert.Equal(3, Directory.GetFiles(blobs).Length);
        Assert.DoesNotContain(Directory.GetFiles(blobs), f => Path.GetFileName(f) == otherDiff);
        Assert.Single(Directory.GetDirectories(Path.Combine(env.Work, store, "root", "layers")));
        Directory.Delete(dir, recursive: true);
    }

    private static byte[] TarOf(string name, byte[] content)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
            w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        return ms.ToArray();
    }
}
