using Skiff.Images.Distribution;

namespace Skiff.Tests.Images;

public class AuthChallengeTests
{
    [Fact]
    public void Parses_a_docker_hub_bearer_challenge()
    {
        var c = AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"")!;
        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.docker.io/token", c.Realm);
        Assert.Equal("registry.docker.io", c.Service);
        Assert.Equal("repository:library/busybox:pull", c.Scope);
    }

    [Fact]
    public void Quoted_values_keep_commas_and_escapes_and_names_ignore_case()
    {
        var c = AuthChallenge.Parse("bearer  Realm = \"https://a/t?x=1\" , scope=\"repository:a:pull,push\",error=\"say \\\"hi\\\"\", service=plain")!;
        Assert.Equal("bearer", c.Scheme);
        Assert.True(c.IsBearer);
        Assert.Equal("https://a/t?x=1", c.Realm);
        Assert.Equal("repository:a:pull,push", c.Scope);
        Assert.Equal("say \"hi\"", c.Parameters["error"]);
        Assert.Equal("plain", c.Service);
    }

    [Fact]
    public void Basic_challenge()
    {
        var c = AuthChallenge.Parse("Basic realm=\"basic-realm\"")!;
        Assert.True(c.IsBasic);
        Assert.False(c.IsBearer);
        Assert.Equal("basic-realm", c.Realm);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_header_is_no_challenge(string? header) => Assert.Null(AuthChallenge.Parse(header));

    [Fact]
    public void Malformed_parameters_are_skipped()
    {
        var c = AuthChallenge.Parse("Bearer realm=\"unterminated, service")!;
        Assert.Equal("unterminated, service", c.Realm);
        var d = AuthChallenge.Parse("Bearer novalue, realm=x")!;
        Assert.Equal("x", d.Realm);
        Assert.False(d.Parameters.ContainsKey("novalue"));
    }
}
