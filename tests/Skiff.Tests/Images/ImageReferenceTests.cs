using Skiff.Images.References;

namespace Skiff.Tests.Images;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null, "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null, "docker.io/library/busybox:1.36")]
    [InlineData("library/busybox", "docker.io", "library/busybox", "latest", null, "docker.io/library/busybox:latest")]
    [InlineData("docker.io/busybox", "docker.io", "library/busybox", "latest", null, "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/busybox", "docker.io", "library/busybox", "latest", null, "docker.io/library/busybox:latest")]
    [InlineData("docker.io/user/app:v1", "docker.io", "user/app", "v1", null, "docker.io/user/app:v1")]
    [InlineData("quay.io/podman/stable", "quay.io", "podman/stable", "latest", null, "quay.io/podman/stable:latest")]
    [InlineData("127.0.0.1:5000/library/busybox:latest", "127.0.0.1:5000", "library/busybox", "latest", null, "127.0.0.1:5000/library/busybox:latest")]
    [InlineData("localhost/myimage", "localhost", "myimage", "latest", null, "localhost/myimage:latest")]
    [InlineData("localhost:5000/a/b/c:T_1.x-y", "localhost:5000", "a/b/c", "T_1.x-y", null, "localhost:5000/a/b/c:T_1.x-y")]
    [InlineData("registry.example.com/a.b/c__d/e-f---g", "registry.example.com", "a.b/c__d/e-f---g", "latest", null, "registry.example.com/a.b/c__d/e-f---g:latest")]
    [InlineData("Example.COM/foo", "Example.COM", "foo", "latest", null, "Example.COM/foo:latest")]
    [InlineData("[::1]:5000/foo", "[::1]:5000", "foo", "latest", null, "[::1]:5000/foo:latest")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io", "library/busybox", null, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("quay.io/a/b:v2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "quay.io", "a/b", "v2", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "quay.io/a/b:v2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Parses_and_normalises(string input, string registry, string repository, string? tag, string? digest, string canonical)
    {
        var r = ImageReference.Parse(input);
        Assert.Equal(registry, r.Registry);
        Assert.Equal(repository, r.Repository);
        Assert.Equal(tag, r.Tag);
        Assert.Equal(digest, r.Digest?.ToString());
        Assert.Equal(canonical, r.ToString());
        Assert.Equal(canonical, ImageReference.Parse(canonical).ToString());
    }

    [Theory]
    [InlineData("", "at least one component")]
    [InlineData("Busybox", "repository name must be lowercase")]
    [InlineData("quay.io/Podman/stable", "repository name must be lowercase")]
    [InlineData("busybox:", "invalid tag \"\"")]
    [InlineData("busybox:-bad", "invalid tag \"-bad\"")]
    [InlineData("busybox:a/b", "invalid registry host \"busybox:a\"")]
    [InlineData("busybox@sha256:abc", "invalid digest")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef", "invalid digest")]
    [InlineData("quay.io/", "at least one component")]
    [InlineData("quay.io//x", "empty path component")]
    [InlineData("a..b/c/d", "invalid registry host")]
    [InlineData("foo/-bar", "invalid repository path component \"-bar\"")]
    [InlineData("foo_/bar", "invalid repository path component \"foo_\"")]
    [InlineData("host:port/x", "invalid registry host")]
    [InlineData("foo bar", "invalid repository path component")]
    public void Rejects_with_the_rule_broken(string input, string reason)
    {
        var e = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(input));
        Assert.Contains("invalid reference format", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{input}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_names_longer_than_255()
    {
        string name = "quay.io/" + new string('a', 250);
        var e = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(name));
        Assert.Contains("255", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_longer_than_128_is_rejected()
    {
        Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse("a:" + new string('t', 129)));
        Assert.Equal(128, ImageReference.Parse("a:" + new string('t', 128)).Tag!.Length);
    }

    [Theory]
    [InlineData("busybox", false)]
    [InlineData("library/busybox", false)]
    [InlineData("foo/bar/baz", false)]
    [InlineData("localhost/foo", true)]
    [InlineData("localhost", false)]
    [InlineData("quay.io/foo", true)]
    [InlineData("myhost:5000/foo", true)]
    public void Detects_a_domain(string input, bool hasDomain) => Assert.Equal(hasDomain, ImageReference.HasDomain(input));

    [Fact]
    public void Manifest_reference_is_the_digest_when_there_is_one()
    {
        const string d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        Assert.Equal(d, ImageReference.Parse("quay.io/a:v1@" + d).ManifestReference);
        Assert.Equal("v1", ImageReference.Parse("quay.io/a:v1").ManifestReference);
        Assert.Equal("quay.io/a", ImageReference.Parse("quay.io/a:v1").Name);
    }
}
