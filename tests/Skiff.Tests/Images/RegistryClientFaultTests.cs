using System.Net;
using System.Text;
using Skiff.Images.Distribution;
using Skiff.Images.References;
using Skiff.Images.Registries;
using Skiff.Oci;
using Skiff.Storage;

namespace Skiff.Tests.Images;

/// <summary>The client against a fake registry: tampered content, unsupported formats, token and basic auth.</summary>
public sealed class RegistryClientFaultTests
{
    private static readonly byte[] GoodLayer = Encoding.UTF8.GetBytes("the real layer bytes");
    private static readonly Digest GoodDigest = Digest.Sha256(GoodLayer);

    private static RegistryClient ClientFor(FakeRegistryServer server, RegistryCredentials? credentials = null) => new(new RegistryClientOptions
    {
        Config = RegistriesConfigLoader.Parse($"[[registry]]\nlocation = \"{server.HostPort}\"\ninsecure = true\n", "test.conf"),
        Credentials = credentials ?? RegistryCredentials.None,
    });

    private static string Manifest(Digest layer) => $$"""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
         "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Digest.Sha256("{}"u8)}}","size":2},
         "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layer}}","size":{{GoodLayer.Length}}}]}
        """;

    /// <summary>Serves a manifest naming the good layer digest, but tampered bytes for that blob.</summary>
    private static FakeRegistryServer TamperingServer() => new(async ctx =>
    {
        string path = ctx.Request.Url!.AbsolutePath;
        if (path == "/v2/")
            await FakeRegistryServer.Write(ctx.Response, "{}"u8.ToArray(), "application/json");
        else if (path.StartsWith("/v2/evil/manifests/", StringComparison.Ordinal))
            await FakeRegistryServer.Write(ctx.Response, Encoding.UTF8.GetBytes(Manifest(GoodDigest)), "application/vnd.oci.image.manifest.v1+json");
        else if (path == $"/v2/evil/blobs/{GoodDigest}")
            await FakeRegistryServer.Write(ctx.Response, Encoding.UTF8.GetBytes("the fake layer bytes"), "application/octet-stream");
        else
            await FakeRegistryServer.Write(ctx.Response, """{"errors":[{"code":"NOT_FOUND","message":"nope"}]}"""u8.ToArray(), "application/json", 404);
    });

    [Fact]
    public async Task Tampered_blob_is_refused_naming_its_digest()
    {
        using var server = TamperingServer();
        using var client = ClientFor(server);
        var image = ImageReference.Parse($"{server.HostPort}/evil:latest");
        var manifest = (await client.GetManifestAsync(image)).ParseManifest();
        var layer = Digest.Parse(manifest.Layers[0].Digest);

        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => client.ReadBlobAsync(image, layer, manifest.Layers[0].Size, 1 << 20));
        Assert.Contains(GoodDigest.ToString(), e.Message, StringComparison.Ordinal);

        await using var stream = await client.OpenBlobAsync(image, layer, manifest.Layers[0].Size, verify: true);
        var e2 = await Assert.ThrowsAsync<DigestMismatchException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Contains(GoodDigest.ToString(), e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_pulled_by_digest_must_have_that_digest()
    {
        using var server = TamperingServer();
        using var client = ClientFor(server);
        var wanted = Digest.Sha256("some other manifest"u8);
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => client.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/evil@{wanted}")));
        Assert.Contains($"expected {wanted}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blob_longer_than_its_descriptor_is_refused()
    {
        using var server = TamperingServer();
        using var client = ClientFor(server);
        var image = ImageReference.Parse($"{server.HostPort}/evil:latest");
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => client.ReadBlobAsync(image, GoodDigest, 5, 1 << 20));
        Assert.Contains(GoodDigest.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema1_and_oversized_manifests_are_refused()
    {
        using var server = new FakeRegistryServer(async ctx =>
        {
            string path = ctx.Request.Url!.AbsolutePath;
            if (path == "/v2/")
                await FakeRegistryServer.Write(ctx.Response, "{}"u8.ToArray(), "application/json");
            else if (path == "/v2/old/manifests/latest")
                await FakeRegistryServer.Write(ctx.Response, """{"schemaVersion":1,"name":"old","tag":"latest","fsLayers":[]}"""u8.ToArray(), "application/vnd.docker.distribution.manifest.v1+prettyjws");
            else if (path == "/v2/untyped/manifests/latest")
                await FakeRegistryServer.Write(ctx.Response, """{"schemaVersion":1,"name":"old"}"""u8.ToArray(), "application/json");
            else
                await FakeRegistryServer.Write(ctx.Response, new byte[(4 << 20) + 1], "application/vnd.oci.image.manifest.v1+json");
        });
        using var client = ClientFor(server);

        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/old")));
        Assert.Contains("schema 1", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/untyped")));
        Assert.Contains("schema 1", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/huge")));
        Assert.Contains("larger than the limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bearer_challenge_gets_a_token_and_retries()
    {
        const string manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}""";
        FakeRegistryServer? self = null;
        using var server = new FakeRegistryServer(async ctx =>
        {
            string path = ctx.Request.Url!.AbsolutePath;
            if (path == "/token")
            {
                bool ok = ctx.Request.QueryString["service"] == "fake-registry" && ctx.Request.QueryString["scope"] == "repository:team/app:pull";
                await FakeRegistryServer.Write(ctx.Response, ok ? """{"access_token":"secret-token","expires_in":300}"""u8.ToArray() : "{}"u8.ToArray(), "application/json", ok ? 200 : 400);
            }
            else if (ctx.Request.Headers["Authorization"] != "Bearer secret-token")
            {
                ctx.Response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://{self!.HostPort}/token\",service=\"fake-registry\",scope=\"repository:team/app:pull\"");
                await FakeRegistryServer.Write(ctx.Response, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"""u8.ToArray(), "application/json", 401);
            }
            else if (path == "/v2/team/app/manifests/v1")
                await FakeRegistryServer.Write(ctx.Response, Encoding.UTF8.GetBytes(manifest), "application/vnd.oci.image.manifest.v1+json");
            else
                await FakeRegistryServer.Write(ctx.Response, "{}"u8.ToArray(), "application/json", 404);
        });
        self = server;
        using var client = ClientFor(server);

        var response = await client.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/team/app:v1"));
        Assert.Equal(Digest.Sha256(Encoding.UTF8.GetBytes(manifest)), response.Digest);
        Assert.Contains(server.Requests, r => r.StartsWith("GET /token?service=fake-registry&scope=repository%3Ateam%2Fapp%3Apull", StringComparison.Ordinal));
        Assert.Contains(server.Requests, r => r == "GET /v2/team/app/manifests/v1 Bearer secret-token");

        // the token is reused: a second fetch asks the token server nothing new
        int tokens = server.Requests.Count(r => r.StartsWith("GET /token", StringComparison.Ordinal));
        await client.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/team/app:v1"));
        Assert.Equal(tokens, server.Requests.Count(r => r.StartsWith("GET /token", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Refused_token_is_a_clear_error()
    {
        FakeRegistryServer? self = null;
        using var server = new FakeRegistryServer(async ctx =>
        {
            if (ctx.Request.Url!.AbsolutePath == "/token")
            {
                await FakeRegistryServer.Write(ctx.Response, """{"errors":[{"code":"DENIED","message":"access denied"}]}"""u8.ToArray(), "application/json", 403);
                return;
            }
            ctx.Response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://{self!.HostPort}/token\",service=\"s\"");
            await FakeRegistryServer.Write(ctx.Response, "{}"u8.ToArray(), "application/json", 401);
        });
        self = server;
        using var client = ClientFor(server);
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/x")));
        Assert.Equal($"requesting bearer token from http://{server.HostPort}/token for {server.HostPort}: denied: access denied", e.Message);
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
    }

    [Fact]
    public async Task Basic_credentials_come_from_auth_json()
    {
        string dir = Directory.CreateTempSubdirectory("skiff-auth-").FullName;
        try
        {
            using var server = new FakeRegistryServer(async ctx =>
            {
                string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cr:et"));
                if (ctx.Request.Headers["Authorization"] != expected)
                {
                    ctx.Response.AddHeader("WWW-Authenticate", "Basic realm=\"fake\"");
                    await FakeRegistryServer.Write(ctx.Response, "{}"u8.ToArray(), "application/json", 401);
                }
                else
                {
                    await FakeRegistryServer.Write(ctx.Response, """{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"""u8.ToArray(), "application/json");
                }
            });
            string authFile = Path.Combine(dir, "auth.json");
            string other = Path.Combine(dir, "config.json");
            File.WriteAllText(authFile, AuthJson(server.HostPort, "alice:s3cr:et"));
            File.WriteAllText(other, AuthJson(server.HostPort, "bob:wrong"));
            var credentials = new RegistryCredentials([Path.Combine(dir, "missing.json"), authFile, other]);
            Assert.Equal(new RegistryCredential("alice", "s3cr:et"), credentials.Find(server.HostPort));
            Assert.Null(credentials.Find("elsewhere.test"));

            using var client = ClientFor(server, credentials);
            var response = await client.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/private:latest"));
            Assert.Equal("application/vnd.oci.image.manifest.v1+json", response.MediaType);

            using var anonymous = ClientFor(server);
            var e = await Assert.ThrowsAsync<RegistryException>(() => anonymous.GetManifestAsync(ImageReference.Parse($"{server.HostPort}/private:latest")));
            Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
            Assert.Contains("authentication required", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Blob_redirects_are_followed_without_the_registry_credentials()
    {
        using var server = new FakeRegistryServer(async ctx =>
        {
            string path = ctx.Request.Url!.AbsolutePath;
            if (path == "/v2/")
                await FakeRegistryServer.Write(ctx.Response, "{}"u8.ToArray(), "application/json");
            else if (path == $"/v2/redir/blobs/{GoodDigest}")
            {
                ctx.Response.Redirect($"/cdn/{GoodDigest.Hex}?sig=1");
                ctx.Response.StatusCode = 307;
            }
            else if (path == $"/cdn/{GoodDigest.Hex}")
                await FakeRegistryServer.Write(ctx.Response, GoodLayer, "application/octet-stream");
            else
                await FakeRegistryServer.Write(ctx.Response, "{}"u8.ToArray(), "application/json", 404);
        });
        string dir = Directory.CreateTempSubdirectory("skiff-auth-").FullName;
        try
        {
            string authFile = Path.Combine(dir, "auth.json");
            File.WriteAllText(authFile, AuthJson(server.HostPort, "u:p"));
            using var client = ClientFor(server, new RegistryCredentials([authFile]));
            byte[] blob = await client.ReadBlobAsync(ImageReference.Parse($"{server.HostPort}/redir"), GoodDigest, GoodLayer.Length, 1 << 20);
            Assert.Equal(GoodLayer, blob);
            Assert.Contains(server.Requests, r => r.StartsWith($"GET /v2/redir/blobs/{GoodDigest} Basic ", StringComparison.Ordinal));
            Assert.Contains(server.Requests, r => r == $"GET /cdn/{GoodDigest.Hex}?sig=1 ");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string AuthJson(string host, string userPass) =>
        "{\"auths\":{\"" + host + "\":{\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(userPass)) + "\"}}}";
}
