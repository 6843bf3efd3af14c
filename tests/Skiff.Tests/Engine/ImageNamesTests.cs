using Skiff.Engine;
using Skiff.Engine.Images;

namespace Skiff.Tests.Engine;

/// <summary>tag and untag's names, normalised and refused as podman 4.3's (libimage NormalizeName), checked side by side with it.</summary>
public class ImageNamesTests
{
    [Theory]
    [InlineData("foo", "localhost/foo:latest")]
    [InlineData("bar:1", "localhost/bar:1")]
    [InlineData("a/b/c:v2", "localhost/a/b/c:v2")]
    [InlineData("foo:Tag_1.x", "localhost/foo:Tag_1.x")]
    [InlineData("localhost/foo", "localhost/foo:latest")]
    [InlineData("localhost:5000/q", "localhost:5000/q:latest")]
    [InlineData("127.0.0.1:5237/x/y", "127.0.0.1:5237/x/y:latest")]
    [InlineData("docker.io/z", "docker.io/library/z:latest")]
    [InlineData("quay.io/org/img:v1", "quay.io/org/img:v1")]
    public void Names_are_normalised_as_podman_does(string input, string expected)
        => Assert.Equal(expected, ImageNames.Normalize(input));

    [Theory]
    [InlineData("Foo", "repository name must be lowercase")]
    [InlineData("UPPER:latest", "repository name must be lowercase")]
    [InlineData("foo:-bad", "invalid reference format")]
    [InlineData("foo@sha256:abc", "invalid reference format")]
    [InlineData("a//b", "invalid reference format")]
    [InlineData("", "repository name must have at least one component")]
    public void Bad_names_are_refused_in_podmans_words(string input, string reason)
    {
        var e = Assert.Throws<EngineException>(() => ImageNames.Normalize(input));
        Assert.Equal($"normalizing name \"{input}\": normalizing name \"{input}\": {reason}", e.Message);
        Assert.Equal(125, e.ExitCode);
    }
}
