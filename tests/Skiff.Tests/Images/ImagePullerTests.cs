// PENDING the storage merge: rename to ImagePullerTests.cs once src/Skiff.Storage (wip-storage) is merged.
// Verified passing (6/6) on wip-images + wip-storage merged; it cannot pass against the contract stub.
using System.Text;
using Skiff.Images.Pull;
using Skiff.Images.Registries;
using Skiff.Oci;
using Skiff.Storage;

namespace Skiff.Tests.Images;

/// <summary>Pulls from a real registry into a real <see cref="ImageStore"/> in a temp graph root.</summary>
public sealed class ImagePullerTests : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly RegistryFixture _fixture;
    private readonly string _root = Directory.CreateTempSubdirectory("skiff-pull-").FullName;

    public ImagePullerTests(RegistryFixture fixture) => _fixture = fixture;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private RegistriesConfig Config(params string[] search) => RegistriesConfigLoader.Parse(
        $"unqualified-search-registries = [{string.Join(", ", search.Select(s => $"\"{s}\""))}]\n"
        + $"[[registry]]\nlocation = \"{_fixture.Registry.HostPort}\"\ninsecure = true\n", "/etc/containers/registries.conf");

    [Fact]
    public async Task Pulls_a_layered_image_and_records_it_last()
    {
        var store = new ImageStore(_root);
        var progress = new StringWriter();
        string name = $"{_fixture.Registry.HostPort}/library/layered:latest";
        var record = await new ImagePuller(store, Config()).PullAsync(name, new PullOptions { Progress = progress }, CancellationToken.None);

        Assert.Equal(Digest.Parse(_fixture.Layered.ConfigDigest).Hex, record.Id);
        Assert.Equal([name], record.Names);
        Assert.Equal(_fixture.Layered.ManifestDigest, record.ManifestDigest);
        var chain = ChainId.Compute(_fixture.Layered.Layers.Select(l => Digest.Parse(l.DiffId)).ToList());
        Assert.Equal(chain.Select(c => c.ToString()), record.Layers);
        Assert.All(chain, c => Assert.True(store.HasLayer(c)));
        Assert.True(File.Exists(Path.Combine(store.LayerDiffPath(chain[2]), "data/old/new")));
        Assert.True(File.Exists(Path.Combine(store.LayerDiffPath(chain[0]), "bin/busybox")));
        Assert.Equal(record.Id, store.FindImage(name)?.Id);

        string text = progress.ToString();
        Assert.StartsWith($"Trying to pull {name}...\nGetting image source signatures\n", text, StringComparison.Ordinal);
        Assert.Equal(3, text.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^Copying blob sha256:[0-9a-f]{64}$")));
        Assert.Contains($"Copying config sha256:{record.Id}\nWriting manifest to image destination\nStoring signatures\n", text, StringComparison.Ordinal);

        var again = new StringWriter();
        await new ImagePuller(store, Config()).PullAsync(name, new PullOptions { Progress = again }, CancellationToken.None);
        Assert.Equal(3, again.ToString().Split('\n').Count(l => l.EndsWith("skipped: already exists", StringComparison.Ordinal)));
        Assert.Single(store.ListImages());
    }

    [Fact]
    public async Task Short_name_tries_each_search_registry_in_order()
    {
        var store = new ImageStore(_root);
        var config = Config($"127.0.0.1:{Skiff.TestSupport.Registry.LocalRegistry.FreePort()}", _fixture.Registry.HostPort);
        var record = await new ImagePuller(store, config).PullAsync("library/busybox", new PullOptions { TlsVerify = false }, CancellationToken.None);
        Assert.Equal([$"{_fixture.Registry.HostPort}/library/busybox:latest"], record.Names);
    }

    [Fact]
    public async Task Index_is_resolved_and_its_digest_recorded()
    {
        var store = new ImageStore(_root);
        var record = await new ImagePuller(store, Config()).PullAsync($"{_fixture.Registry.HostPort}/library/multi", new PullOptions(), CancellationToken.None);
        Assert.Equal(_fixture.MultiArch.IndexDigest, record.ManifestDigest);
        Assert.Equal(Digest.Parse(_fixture.MultiArch.ConfigDigest).Hex, record.Id);
    }

    [Fact]
    public async Task Unknown_image_is_podmans_one_line_error_and_nothing_is_listed()
    {
        var store = new ImageStore(_root);
        string host = _fixture.Registry.HostPort;
        var e = await Assert.ThrowsAsync<PullException>(() =>
            new ImagePuller(store, Config()).PullAsync($"{host}/library/busybox:nope", new PullOptions(), CancellationToken.None));
        Assert.Equal($"initializing source docker://{host}/library/busybox:nope: reading manifest nope in {host}/library/busybox: manifest unknown", e.Message);
        e = await Assert.ThrowsAsync<PullException>(() =>
            new ImagePuller(store, Config()).PullAsync($"{host}/library/nope", new PullOptions(), CancellationToken.None));
        Assert.Equal($"initializing source docker://{host}/library/nope:latest: reading manifest latest in {host}/library/nope: manifest unknown", e.Message);
        Assert.Empty(store.ListImages());
    }

    [Fact]
    public async Task Tampered_layer_names_the_digest_and_records_nothing()
    {
        var store = new ImageStore(_root);
        byte[] good = _fixture.Busybox.Layers[0].Gzip;
        byte[] bad = (byte[])good.Clone();
        bad[^10] ^= 0xff;
        string layerDigest = _fixture.Busybox.Layers[0].Digest;
        using var server = new FakeRegistryServer(async ctx =>
        {
            string path = ctx.Request.Url!.AbsolutePath;
            using var http = new HttpClient();
            if (path == $"/v2/library/busybox/blobs/{layerDigest}")
            {
                await FakeRegistryServer.Write(ctx.Response, bad, "application/octet-stream");
                return;
            }
            // everything else comes from the real registry
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{_fixture.Registry.HostPort}{ctx.Request.Url.PathAndQuery}");
            request.Headers.TryAddWithoutValidation("Accept", ctx.Request.Headers["Accept"]);
            using var response = await http.SendAsync(request);
            await FakeRegistryServer.Write(ctx.Response, await response.Content.ReadAsByteArrayAsync(),
                response.Content.Headers.ContentType?.ToString() ?? "application/json", (int)response.StatusCode);
        });
        var config = RegistriesConfigLoader.Parse($"[[registry]]\nlocation = \"{server.HostPort}\"\ninsecure = true\n", "x.conf");
        var e = await Assert.ThrowsAsync<PullException>(() =>
            new ImagePuller(store, config).PullAsync($"{server.HostPort}/library/busybox", new PullOptions(), CancellationToken.None));
        Assert.StartsWith($"copying blob {layerDigest} of ", e.Message, StringComparison.Ordinal);
        Assert.Contains("digest mismatch", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(store.ListImages());
        Assert.False(store.HasBlob(Digest.Parse(layerDigest)));
    }

    [Fact]
    public async Task No_search_registries_is_podmans_error()
    {
        var store = new ImageStore(_root);
        var e = await Assert.ThrowsAsync<PullException>(() =>
            new ImagePuller(store, RegistriesConfigLoader.Parse("", "/etc/containers/registries.conf")).PullAsync("busybox", new PullOptions(), CancellationToken.None));
        Assert.Equal("short-name \"busybox\" did not resolve to an alias and no unqualified-search registries are defined in \"/etc/containers/registries.conf\"", e.Message);
    }
}
