using System.Text.Json;
using Skiff.Images.Distribution;
using Skiff.Oci.Image;

namespace Skiff.Tests.Images;

public class PlatformSelectorTests
{
    private const string Index = """
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
          "manifests": [
            { "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 1,
              "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
              "platform": { "architecture": "arm", "os": "linux", "variant": "v7" } },
            { "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 1,
              "digest": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
              "platform": { "architecture": "amd64", "os": "linux" } },
            { "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 1,
              "digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333",
              "platform": { "architecture": "arm64", "os": "linux", "variant": "v8" } },
            { "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1,
              "digest": "sha256:4444444444444444444444444444444444444444444444444444444444444444",
              "platform": { "architecture": "unknown", "os": "unknown" } }
          ]
        }
        """;

    private static ImageIndex Parse(string json) => JsonSerializer.Deserialize(json, ImageJsonContext.Default.ImageIndex)!;

    [Theory]
    [InlineData("amd64", null, '2')]
    [InlineData("arm64", "v8", '3')]
    [InlineData("arm", "v7", '1')]
    public void Picks_the_matching_platform(string arch, string? variant, char digit)
    {
        var chosen = PlatformSelector.Select(Parse(Index), new PlatformSpec("linux", arch, variant));
        Assert.Equal("sha256:" + new string(digit, 64), chosen.Digest);
    }

    [Fact]
    public void Arm64_without_variant_in_the_index_still_matches_v8()
    {
        string json = Index.Replace("\"arm64\", \"os\": \"linux\", \"variant\": \"v8\"", "\"arm64\", \"os\": \"linux\"", StringComparison.Ordinal);
        var chosen = PlatformSelector.Select(Parse(json), new PlatformSpec("linux", "arm64", "v8"));
        Assert.Equal("sha256:" + new string('3', 64), chosen.Digest);
    }

    [Fact]
    public void No_match_lists_what_is_available()
    {
        var e = Assert.Throws<RegistryException>(() => PlatformSelector.Select(Parse(Index), new PlatformSpec("linux", "s390x", null)));
        Assert.Contains("\"s390x\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("linux/arm/v7, linux/amd64, linux/arm64/v8, unknown/unknown", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_platform_is_linux() => Assert.Equal("linux", PlatformSpec.Host.Os);
}

public class PlatformSelectorNestedIndexTests
{
    [Fact]
    public void An_index_entry_for_the_platform_is_chosen_so_that_the_puller_can_refuse_it_by_name()
    {
        string json = """
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","size":1,
              "digest":"sha256:5555555555555555555555555555555555555555555555555555555555555555",
              "platform":{"architecture":"amd64","os":"linux"}}]}
            """;
        var index = System.Text.Json.JsonSerializer.Deserialize(json, Skiff.Oci.Image.ImageJsonContext.Default.ImageIndex)!;
        var chosen = PlatformSelector.Select(index, new PlatformSpec("linux", "amd64", null));
        Assert.Equal("application/vnd.oci.image.index.v1+json", chosen.MediaType);
    }
}
