using System.Security.Cryptography;
using System.Text.Json;
using Skiff.Images.Distribution;
using Skiff.Images.References;
using Skiff.Images.Registries;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.TestSupport.Registry;

namespace Skiff.Tests.Images;

/// <summary>The distribution client against a real registry (docker-registry) with images pushed by skopeo.</summary>
public sealed class RegistryClientTests : IClassFixture<RegistryFixture>
{
    private readonly RegistryFixture _fixture;

    public RegistryClientTests(RegistryFixture fixture) => _fixture = fixture;

    private ImageReference Ref(string repoTag) => ImageReference.Parse($"{_fixture.Registry.HostPort}/{repoTag}");

    private static RegistryClient Insecure() => new(new RegistryClientOptions { TlsVerify = false });

    [Fact]
    public async Task Fetches_manifest_config_and_layers_with_their_digests()
    {
        using var client = Insecure();
        var image = Ref("library/layered:latest");
        var response = await client.GetManifestAsync(image);

        Assert.Equal(MediaTypes.OciManifest, response.MediaType);
        Assert.Equal(_fixture.Layered.ManifestDigest, response.Digest.ToString());
        Assert.Equal(response.Digest, Digest.Sha256(response.Bytes));

        var manifest = response.ParseManifest();
        Assert.Equal(3, manifest.Layers.Count);
        Assert.Equal(_fixture.Layered.Layers.Select(l => l.Digest), manifest.Layers.Select(l => l.Digest));

        byte[] config = await client.ReadBlobAsync(image, Digest.Parse(manifest.Config.Digest), manifest.Config.Size, RegistryClient.MaxConfigSize);
        Assert.Equal(_fixture.Layered.ConfigDigest, Digest.Sha256(config).ToString());
        var configFile = JsonSerializer.Deserialize(config, ImageJsonContext.Default.ImageConfigFile)!;
        Assert.Equal(_fixture.Layered.Layers.Select(l => l.DiffId), configFile.RootFs.DiffIds);

        foreach (var layer in manifest.Layers)
        {
            await using var stream = await client.OpenBlobAsync(image, Digest.Parse(layer.Digest), layer.Size, verify: true);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[65536];
            long total = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                total += n;
            }
            Assert.Equal(layer.Digest, "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset()));
            Assert.Equal(layer.Size, total);
        }
    }

    [Fact]
    public async Task Fetches_by_digest_and_verifies_it()
    {
        using var client = Insecure();
        var byDigest = Ref("library/busybox@" + _fixture.Busybox.ManifestDigest);
        var response = await client.GetManifestAsync(byDigest);
        Assert.Equal(_fixture.Busybox.ManifestDigest, response.Digest.ToString());
    }

    [Fact]
    public async Task Index_resolves_to_the_host_platform()
    {
        using var client = Insecure();
        var image = Ref("library/multi:latest");
        var top = await client.GetManifestAsync(image);
        Assert.True(top.IsIndex);
        Assert.Equal(_fixture.MultiArch.IndexDigest, top.Digest.ToString());

        var chosen = PlatformSelector.Select(top.ParseIndex(), PlatformSpec.Host);
        Assert.Equal(_fixture.MultiArch.ManifestDigest, chosen.Digest);
        var manifest = await client.GetManifestAsync(image, chosen.Digest);
        Assert.False(manifest.IsIndex);
        Assert.Equal(chosen.Digest, manifest.Digest.ToString());

        var e = Assert.Throws<RegistryException>(() => PlatformSelector.Select(top.ParseIndex(), new PlatformSpec("linux", "riscv64", null)));
        Assert.Contains("linux/s390x", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_tag_is_manifest_unknown_naming_the_image()
    {
        using var client = Insecure();
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref("library/busybox:nope")));
        Assert.Equal($"reading manifest nope in {_fixture.Registry.HostPort}/library/busybox: manifest unknown", e.Message);
        Assert.True(e.IsNotFound);
    }

    [Fact]
    public async Task Unknown_repository_is_not_found()
    {
        using var client = Insecure();
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref("library/nope:latest")));
        Assert.StartsWith($"reading manifest latest in {_fixture.Registry.HostPort}/library/nope: ", e.Message, StringComparison.Ordinal);
        Assert.True(e.IsNotFound);
    }

    [Fact]
    public async Task Unknown_blob_names_the_digest()
    {
        using var client = Insecure();
        var missing = Digest.Sha256("not there"u8);
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.ReadBlobAsync(Ref("library/busybox:latest"), missing, 9, 100));
        Assert.Contains(missing.ToString(), e.Message, StringComparison.Ordinal);
        Assert.True(e.IsNotFound);
    }

    [Fact]
    public async Task Insecure_registry_in_registries_conf_uses_http_directly()
    {
        var config = RegistriesConfigLoader.Parse($"[[registry]]\nlocation = \"{_fixture.Registry.HostPort}\"\ninsecure = true\n", "test.conf");
        using var client = new RegistryClient(new RegistryClientOptions { Config = config });
        var response = await client.GetManifestAsync(Ref("library/busybox:latest"));
        Assert.Equal(_fixture.Busybox.ManifestDigest, response.Digest.ToString());
    }

    [Fact]
    public async Task Default_tls_verification_refuses_a_plain_http_registry()
    {
        using var client = new RegistryClient(new RegistryClientOptions());
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref("library/busybox:latest")));
        Assert.StartsWith($"pinging container registry {_fixture.Registry.HostPort}: Get \"https://{_fixture.Registry.HostPort}/v2/\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_refused_names_the_registry()
    {
        int port = LocalRegistry.FreePort();
        using var client = Insecure();
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"127.0.0.1:{port}/library/busybox")));
        Assert.Contains($"pinging container registry 127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("refused", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', e.Message);
    }
}
