using Skiff.Images.Registries;

namespace Skiff.Tests.Images;

public class ShortNameResolverTests
{
    private static readonly RegistriesConfig Config = RegistriesConfigLoader.Parse("""
        unqualified-search-registries = ["127.0.0.1:5000", "quay.io", "docker.io"]
        [aliases]
        "fedora" = "registry.fedoraproject.org/fedora"
        """, "/etc/containers/registries.conf");

    private static string[] Candidates(string input) =>
        new ShortNameResolver(Config).Candidates(input).Select(r => r.ToString()).ToArray();

    [Fact]
    public void Short_name_gives_one_candidate_per_search_registry_in_order() =>
        Assert.Equal(["127.0.0.1:5000/busybox:latest", "quay.io/busybox:latest", "docker.io/library/busybox:latest"], Candidates("busybox"));

    [Fact]
    public void Tag_and_path_are_kept() =>
        Assert.Equal(["127.0.0.1:5000/library/busybox:1.36", "quay.io/library/busybox:1.36", "docker.io/library/busybox:1.36"], Candidates("library/busybox:1.36"));

    [Fact]
    public void Qualified_name_is_its_only_candidate() =>
        Assert.Equal(["example.com/x/y:latest"], Candidates("example.com/x/y"));

    [Fact]
    public void Alias_wins_and_takes_the_tag() =>
        Assert.Equal(["registry.fedoraproject.org/fedora:39"], Candidates("fedora:39"));

    [Fact]
    public void No_search_registries_is_podmans_error()
    {
        var resolver = new ShortNameResolver(RegistriesConfigLoader.Parse("", "/etc/containers/registries.conf"));
        var e = Assert.Throws<ShortNameException>(() => resolver.Candidates("busybox"));
        Assert.Equal("short-name \"busybox\" did not resolve to an alias and no unqualified-search registries are defined in \"/etc/containers/registries.conf\"", e.Message);
        Assert.Single(resolver.Candidates("localhost/busybox"));
    }
}
