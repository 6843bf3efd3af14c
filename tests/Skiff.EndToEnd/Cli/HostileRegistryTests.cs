using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;
using Skiff.TestSupport.Registry;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// Pulls from a registry that misbehaves (<see cref="HostileRegistry"/>): each ends with one readable line and exit 125
/// within a bounded time and disk, leaves nothing of the failed pull behind, and the store still pulls and runs. Short
/// timeouts come from the environment (SKIFF_REGISTRY_IDLE_TIMEOUT, SKIFF_STORAGE_RESERVE).
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class HostileRegistryTests(SkiffEnvironment env)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static Dictionary<string, string> Vars(string idle = "1s", string reserve = "16m") => new()
    {
        ["SKIFF_REGISTRY_IDLE_TIMEOUT"] = idle,
        ["SKIFF_REGISTRY_CONNECT_TIMEOUT"] = "2s",
        ["SKIFF_STORAGE_RESERVE"] = reserve,
    };

    private string Root(string store) => Path.Combine(env.Work, store, "root");

    private List<string> StoreArgs(string store, string[] args) =>
        ["--root", Root(store), "--runroot", Path.Combine(env.Work, store, "run"), .. args];

    private CommandResult Skiff(string store, Dictionary<string, string>? vars, params string[] args) =>
        Command.Run(env.SkiffPath, StoreArgs(store, args), vars ?? Vars(), timeoutSeconds: 60);

    /// <summary>A pull from <paramref name="registry"/> with one quick retry; it must end within <see cref="Bound"/>.</summary>
    private CommandResult HostilePull(HostileRegistry registry, string store, Dictionary<string, string>? vars = null)
    {
        var clock = Stopwatch.StartNew();
        var r = Skiff(store, vars, "pull", "--retry", "1", "--retry-delay", "100ms", "--tls-verify=false", $"{registry.HostPort}/hostile/image");
        Assert.True(clock.Elapsed < Bound, $"the pull took {clock.Elapsed}: {r}");
        return r;
    }

    /// <summary>Exit 125 and one "Error: " line that says what <paramref name="expected"/> says, in words.</summary>
    private static void AssertReadableFailure(CommandResult r, params string[] expected)
    {
        Assert.True(r.ExitCode == 125, r.ToString());
        string[] errors = r.Stderr.Split('\n').Where(l => l.StartsWith("Error: ", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, r.ToString());
        Assert.EndsWith(errors[0] + "\n", r.Stderr, StringComparison.Ordinal);
        foreach (string e in expected) Assert.True(errors[0].Contains(e, StringComparison.Ordinal), $"expected \"{e}\" in: {errors[0]}");
        foreach (string bad in new[] { "Exception", "net_", "IO_", "   at " })
            Assert.DoesNotContain(bad, r.Stderr, StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
    }

    /// <summary>Nothing of a failed first pull is left (no blob, no layer, no staging directory), and the store pulls and runs.</summary>
    private void AssertNothingLeftAndStoreWorks(string store)
    {
        string root = Root(store);
        string blobs = Path.Combine(root, "blobs"), layers = Path.Combine(root, "layers");
        if (Directory.Exists(blobs))
        {
            Assert.Equal([], Directory.GetFiles(blobs, "*", SearchOption.AllDirectories));
            Assert.Equal([], Directory.GetDirectories(Path.Combine(blobs, "tmp")));
        }
        if (Directory.Exists(layers)) Assert.Equal([], Directory.GetDirectories(layers));
        var pull = Skiff(store, null, "pull", "-q", "--tls-verify=false", env.Busybox);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        var run = Skiff(store, null, "run", "--rm", env.Busybox, "echo", "still-works");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("still-works\n", run.Stdout);
    }

    private static (string Digest, long Size, string DiffId) Layer(byte[] blob, string diffId) => (FakeImage.Sha256(blob), blob.Length, diffId);

    private static readonly byte[] SmallLayer = Gzip(Tar("hello.txt", Encoding.UTF8.GetBytes("hello\n")), out _);

    private static FakeImage SmallImage(out string layerDigest)
    {
        var image = new FakeImage();
        byte[] tar = Tar("hello.txt", Encoding.UTF8.GetBytes("hello\n"));
        var layer = Layer(SmallLayer, FakeImage.Sha256(tar));
        image.Blobs[layer.Digest] = SmallLayer;
        image.AddImage([layer]);
        layerDigest = layer.Digest;
        return image;
    }

    [RootFact]
    public void A_registry_silent_after_accepting_is_given_up_after_the_idle_timeout_and_retries()
    {
        using var registry = new HostileRegistry(null);
        string store = "silent-" + Guid.NewGuid().ToString("N")[..6];
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, $"pinging container registry {registry.HostPort}", "no answer within 1s (the registry stalled)");
        Assert.Contains("Failed, retrying in 100ms ... (1/1).", r.Stderr, StringComparison.Ordinal);
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void A_manifest_never_answered_is_named_with_its_registry()
    {
        var image = SmallImage(out _);
        using var registry = new HostileRegistry(HostileRegistry.Serve(image, async (r, ct) =>
        {
            if (!r.Path.Contains("/manifests/", StringComparison.Ordinal)) return false;
            await HostileRegistry.Stall(ct);
            return true;
        }));
        string store = "nomanifest-" + Guid.NewGuid().ToString("N")[..6];
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, $"/v2/hostile/image/manifests/latest: {registry.HostPort} sent no answer within 1s (the registry stalled)");
        Assert.Equal(2, registry.Requests.Count(q => q.Contains("/manifests/", StringComparison.Ordinal))); // the try and one retry
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void A_blob_that_stops_after_1_KB_is_given_up_and_nothing_of_it_is_kept()
    {
        var image = new FakeImage();
        byte[] blob = RandomNumberGenerator.GetBytes(1 << 20);
        var layer = Layer(blob, FakeImage.Sha256(blob));
        image.AddImage([layer]);
        using var registry = new HostileRegistry(HostileRegistry.Serve(image, async (r, ct) =>
        {
            if (!r.Path.EndsWith(layer.Digest, StringComparison.Ordinal)) return false;
            await HostileRegistry.Headers(r, blob.Length, ct: ct);
            await r.Stream.WriteAsync(blob.AsMemory(0, 1024), ct);
            await HostileRegistry.Stall(ct);
            return true;
        }));
        string store = "stall1k-" + Guid.NewGuid().ToString("N")[..6];
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, $"copying blob {layer.Digest}", $"fetching blob {layer.Digest} from {registry.HostPort}/hostile/image: no data for 1s after 1024 bytes (the registry stalled)");
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void A_redirect_loop_stops_after_ten_redirects()
    {
        var image = SmallImage(out _);
        using var registry = new HostileRegistry(HostileRegistry.Serve(image, async (r, ct) =>
        {
            if (!r.Path.Contains("/manifests/", StringComparison.Ordinal)) return false;
            await HostileRegistry.Respond(r, 302, [], extraHeaders: $"Location: {r.Path}\r\n", ct: ct);
            return true;
        }));
        string store = "redirect-" + Guid.NewGuid().ToString("N")[..6];
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, $"reading manifest latest in {registry.HostPort}/hostile/image: stopped after 10 redirects");
        Assert.DoesNotContain("retrying", r.Stderr, StringComparison.Ordinal); // a loop is no passing failure
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void An_endless_blob_claiming_a_TiB_is_refused_before_the_disk_fills()
    {
        var image = new FakeImage();
        const long TiB = 1L << 40;
        string digest = FakeImage.Sha256("never sent whole"u8.ToArray());
        image.AddImage([(digest, TiB, digest)]);
        using var registry = new HostileRegistry(HostileRegistry.Serve(image, async (r, ct) =>
        {
            if (!r.Path.EndsWith(digest, StringComparison.Ordinal)) return false;
            await HostileRegistry.Headers(r, null, ct: ct);
            var chunk = new byte[1 << 16];
            while (true) await r.Stream.WriteAsync(chunk, ct);
        }));
        // On a small store, so that the test stays safe for the machine should the check before writing go missing.
        string store = "endless-" + Guid.NewGuid().ToString("N")[..6];
        using var tmpfs = SmallStore(store, "64m");
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, $"copying blob {digest}", "needs 1TiB", "16MiB must stay free");
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void Endless_blobs_downloaded_together_stop_at_the_free_space_reserve()
    {
        string store = "endless-small-" + Guid.NewGuid().ToString("N")[..6];
        using var tmpfs = SmallStore(store, "64m");
        // Each claims 20 MiB, which fits alone; the three together do not: the check while writing stops them.
        var image = new FakeImage();
        var layers = Enumerable.Range(0, 3).Select(i =>
        {
            string d = FakeImage.Sha256(Encoding.UTF8.GetBytes($"layer {i}"));
            return (d, 20L << 20, d);
        }).ToList();
        image.AddImage(layers);
        using var registry = new HostileRegistry(HostileRegistry.Serve(image, async (r, ct) =>
        {
            if (!r.Path.Contains("/blobs/sha256:", StringComparison.Ordinal) || image.Blobs.ContainsKey(r.Path[(r.Path.LastIndexOf('/') + 1)..])) return false;
            await HostileRegistry.Headers(r, null, ct: ct);
            var chunk = RandomNumberGenerator.GetBytes(1 << 16);
            while (true)
            {
                await r.Stream.WriteAsync(chunk, ct);
                await Task.Delay(1, ct); // the three at a similar pace
            }
        }));
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, "copying blob sha256:", "below the 16MiB kept free (SKIFF_STORAGE_RESERVE)");
        Assert.True(Avail(Root(store)) > 56L << 20, $"only {Avail(Root(store))} bytes free after the failed pull");
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void An_oversized_manifest_is_refused_at_podmans_limit()
    {
        var image = SmallImage(out _);
        using var registry = new HostileRegistry(HostileRegistry.Serve(image, async (r, ct) =>
        {
            if (!r.Path.Contains("/manifests/", StringComparison.Ordinal)) return false;
            // No Content-Length: the limit must hold while reading, not only on what the headers claim.
            await HostileRegistry.Headers(r, null, FakeImage.ManifestType, ct);
            var spaces = Enumerable.Repeat((byte)' ', 1 << 16).ToArray();
            for (int i = 0; i < 160; i++) await r.Stream.WriteAsync(spaces, ct);
            return true;
        }));
        string store = "bigmanifest-" + Guid.NewGuid().ToString("N")[..6];
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, $"reading manifest latest in {registry.HostPort}/hostile/image: manifest body is larger than the limit of 4194304 bytes");
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void An_oversized_config_is_refused_at_podmans_limit()
    {
        var image = new FakeImage();
        byte[] tar = Tar("hello.txt", Encoding.UTF8.GetBytes("hello\n"));
        var layer = Layer(SmallLayer, FakeImage.Sha256(tar));
        image.Blobs[layer.Digest] = SmallLayer;
        image.AddImage([layer], configSizeClaim: 5 << 20);
        using var registry = new HostileRegistry(HostileRegistry.Serve(image));
        string store = "bigconfig-" + Guid.NewGuid().ToString("N")[..6];
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, "reading config sha256:", $"of {5 << 20} bytes is larger than the limit of 4194304");
        Assert.DoesNotContain(registry.Requests, q => q.Contains("/blobs/", StringComparison.Ordinal));
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void A_gzip_bomb_stops_at_the_free_space_reserve_of_a_small_store()
    {
        string store = "bomb-" + Guid.NewGuid().ToString("N")[..6];
        using var tmpfs = SmallStore(store, "64m");
        // 256 MiB of file content in a few hundred KB of gzip, on a 64 MiB file system.
        byte[] bomb = Gzip(TarStream("bomb", 256L << 20), out string diffId);
        Assert.True(bomb.Length < 2 << 20, $"the bomb is {bomb.Length} bytes");
        var image = new FakeImage();
        var layer = Layer(bomb, diffId);
        image.Blobs[layer.Digest] = bomb;
        image.AddImage([layer]);
        using var registry = new HostileRegistry(HostileRegistry.Serve(image));
        var r = HostilePull(registry, store);
        AssertReadableFailure(r, $"applying layer {layer.Digest}", "below the 16MiB kept free (SKIFF_STORAGE_RESERVE)");
        Assert.True(Avail(Root(store)) > 56L << 20, $"only {Avail(Root(store))} bytes free after the failed pull");
        AssertNothingLeftAndStoreWorks(store);
    }

    [RootFact]
    public void A_nested_index_is_refused_by_name()
    {
        // The platform's entry is an index (announced as one), or a manifest that turns out to be an index.
        foreach (bool announced in new[] { true, false })
        {
            var image = SmallImage(out _);
            var (manifestBytes, _) = image.Manifests["latest"];
            string manifest = FakeImage.Sha256(manifestBytes);
            string inner = image.AddIndex(manifest, manifestBytes.Length, FakeImage.ManifestType, tag: null);
            image.AddIndex(inner, image.Manifests[inner].Bytes.Length, announced ? FakeImage.IndexType : FakeImage.ManifestType);
            using var registry = new HostileRegistry(HostileRegistry.Serve(image));
            string store = "nested-" + Guid.NewGuid().ToString("N")[..6];
            var r = HostilePull(registry, store);
            AssertReadableFailure(r, $"choosing an image from manifest list docker://{registry.HostPort}/hostile/image:latest", $"({inner}) is itself a manifest list; nested manifest lists are not supported");
            Assert.DoesNotContain("no image found", r.Stderr, StringComparison.Ordinal);
            AssertNothingLeftAndStoreWorks(store);
        }
    }

    [RootFact]
    public void A_stalled_pull_blocks_no_rmi_images_run_or_other_pull()
    {
        string store = "blocked-" + Guid.NewGuid().ToString("N")[..6];
        TestImages.PushBusybox(env.LocalRegistry, "library/busybox-unblocked:latest");
        Assert.Equal(0, Skiff(store, null, "pull", "-q", "--tls-verify=false", env.Busybox).ExitCode);
        Assert.Equal(0, Skiff(store, null, "pull", "-q", "--tls-verify=false", env.Layered).ExitCode);

        var image = new FakeImage();
        byte[] blob = RandomNumberGenerator.GetBytes(1 << 20);
        var layer = Layer(blob, FakeImage.Sha256(blob));
        image.AddImage([layer]);
        using var blobAsked = new ManualResetEventSlim();
        using var registry = new HostileRegistry(HostileRegistry.Serve(image, async (r, ct) =>
        {
            if (!r.Path.EndsWith(layer.Digest, StringComparison.Ordinal)) return false;
            await HostileRegistry.Headers(r, blob.Length, ct: ct);
            await r.Stream.WriteAsync(blob.AsMemory(0, 1024), ct);
            blobAsked.Set();
            await HostileRegistry.Stall(ct);
            return true;
        }));
        using var stalled = Start(store, Vars(idle: "120s"), "pull", "--tls-verify=false", $"{registry.HostPort}/hostile/image");
        try
        {
            Assert.True(blobAsked.Wait(TimeSpan.FromSeconds(30)), "the pull never asked for the blob");
            foreach (var args in new[]
            {
                new[] { "images" },
                new[] { "run", "--rm", env.Busybox, "echo", "ran" },
                new[] { "pull", "-q", "--tls-verify=false", env.Registry + "/library/busybox-unblocked" },
                new[] { "rmi", env.Layered },
            })
            {
                var clock = Stopwatch.StartNew();
                var r = Command.Run(env.SkiffPath, StoreArgs(store, args), Vars(), timeoutSeconds: 30);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{string.Join(' ', args)} took {clock.Elapsed}");
                Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: {r}");
            }
            Assert.False(stalled.HasExited, "the stalled pull ended early: nothing was tested alongside it");
        }
        finally
        {
            stalled.Kill();
            stalled.WaitForExit();
        }
        var images = Skiff(store, null, "images", "--format", "{{.Repository}}");
        Assert.Contains(env.Busybox + "\n", images.Stdout, StringComparison.Ordinal);
        Assert.Contains(env.Registry + "/library/busybox-unblocked\n", images.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(env.Layered, images.Stdout, StringComparison.Ordinal);
    }

    [RootFact]
    public void Sigint_during_a_pull_says_so_in_words_and_removes_the_partial_download()
    {
        var image = new FakeImage();
        byte[] blob = RandomNumberGenerator.GetBytes(1 << 20);
        var layer = Layer(blob, FakeImage.Sha256(blob));
        image.AddImage([layer]);
        using var blobAsked = new ManualResetEventSlim();
        using var registry = new HostileRegistry(HostileRegistry.Serve(image, async (r, ct) =>
        {
            if (!r.Path.EndsWith(layer.Digest, StringComparison.Ordinal)) return false;
            await HostileRegistry.Headers(r, blob.Length, ct: ct);
            await r.Stream.WriteAsync(blob.AsMemory(0, 512 << 10), ct);
            blobAsked.Set();
            await HostileRegistry.Stall(ct);
            return true;
        }));
        string store = "sigint-" + Guid.NewGuid().ToString("N")[..6];
        using var pull = Start(store, Vars(idle: "120s"), "pull", "--tls-verify=false", $"{registry.HostPort}/hostile/image");
        Assert.True(blobAsked.Wait(TimeSpan.FromSeconds(30)), "the pull never asked for the blob");
        Thread.Sleep(300); // the 512 KB arrive in the staging area
        Assert.NotEqual([], Directory.GetFiles(Path.Combine(Root(store), "blobs", "tmp"), "*", SearchOption.AllDirectories));
        Command.Must("kill", "-INT", pull.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(pull.WaitForExit(TimeSpan.FromSeconds(10)), "the pull did not stop on SIGINT");
        pull.WaitForExit();
        string stderr = pull.StandardError.ReadToEnd();
        Assert.Equal(130, pull.ExitCode);
        Assert.EndsWith($"Error: pulling {registry.HostPort}/hostile/image: interrupted by SIGINT; what it had downloaded was removed\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        AssertNothingLeftAndStoreWorks(store);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private Process Start(string store, Dictionary<string, string> vars, params string[] args)
    {
        var psi = new ProcessStartInfo(env.SkiffPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in StoreArgs(store, args)) psi.ArgumentList.Add(a);
        foreach (var (k, v) in vars) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    /// <summary>A tmpfs of <paramref name="size"/> under the store's directory, unmounted on dispose.</summary>
    private IDisposable SmallStore(string store, string size)
    {
        string dir = Path.Combine(env.Work, store);
        Directory.CreateDirectory(dir);
        Command.Must("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", dir);
        return new Unmount(dir);
    }

    private sealed class Unmount(string dir) : IDisposable
    {
        public void Dispose() => Command.Run("umount", ["-l", dir]);
    }

    private static long Avail(string path) => new DriveInfo(path).AvailableFreeSpace;

    private static byte[] Tar(string name, byte[] content)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
            w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(content) });
        return ms.ToArray();
    }

    /// <summary>A tar with one file of <paramref name="size"/> bytes (a repeated random KB: compresses about 1000:1).</summary>
    private static Func<Stream, string> TarStream(string name, long size) => sink =>
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var hashing = new TeeStream(sink, hash))
        using (var w = new TarWriter(hashing, TarEntryFormat.Ustar, leaveOpen: true))
            w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b110_100_100, DataStream = new PatternStream(size) });
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    };

    private static byte[] Gzip(byte[] tar, out string diffId) => Gzip(sink => { sink.Write(tar); return FakeImage.Sha256(tar); }, out diffId);

    private static byte[] Gzip(Func<Stream, string> writeTar, out string diffId)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
            diffId = writeTar(gz);
        return ms.ToArray();
    }

    private sealed class TeeStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class PatternStream(long length) : Stream
    {
        private static readonly byte[] Pattern = RandomNumberGenerator.GetBytes(1024);
        private long _position;
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            for (int i = 0; i < n; i++) buffer[offset + i] = Pattern[(_position + i) % Pattern.Length];
            _position += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => _position = value; }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
