using Skiff.Images.References;
using Skiff.Images.Registries;

namespace Skiff.Tests.Images;

public sealed class RegistriesConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-regconf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reads_search_registries_entries_aliases_and_mode()
    {
        var config = RegistriesConfigLoader.Parse("""
            unqualified-search-registries = ["registry.fedoraproject.org", "docker.io"]
            short-name-mode = "enforcing"

            [[registry]]
            prefix = "127.0.0.1:5000"
            location = "127.0.0.1:5000"
            insecure = true

            [[registry]]
            location = "evil.example.com"
            blocked = true

            [[registry]]
            prefix = "example.com/foo"
            location = "mirror.example.net/bar"

            [aliases]
            "fedora" = "registry.fedoraproject.org/fedora"
            """, "/tmp/test.conf");

        Assert.Equal(["registry.fedoraproject.org", "docker.io"], config.UnqualifiedSearchRegistries);
        Assert.Equal("enforcing", config.ShortNameMode);
        Assert.Equal("/tmp/test.conf", config.SourcePath);
        Assert.Equal(3, config.Registries.Count);
        Assert.True(config.IsInsecure("127.0.0.1:5000"));
        Assert.False(config.IsInsecure("127.0.0.1:5001"));
        Assert.False(config.IsInsecure("docker.io"));
        Assert.Equal("registry.fedoraproject.org/fedora", config.Aliases["fedora"]);

        var blocked = Assert.Throws<RegistryBlockedException>(() => config.Resolve(ImageReference.Parse("evil.example.com/x")));
        Assert.Contains("evil.example.com", blocked.Message, StringComparison.Ordinal);

        var rewritten = config.Resolve(ImageReference.Parse("example.com/foo/app:1"));
        Assert.Equal("mirror.example.net/bar/app:1", rewritten.ToString());
        Assert.Equal("example.com/foobar/app:1", config.Resolve(ImageReference.Parse("example.com/foobar/app:1")).ToString());
    }

    [Fact]
    public void Wildcard_prefix_matches_subdomains()
    {
        var config = RegistriesConfigLoader.Parse("""
            [[registry]]
            prefix = "*.internal.test"
            insecure = true
            """, "x.conf");
        Assert.True(config.IsInsecure("reg.internal.test"));
        Assert.False(config.IsInsecure("internal.test.com"));
    }

    [Fact]
    public void Drop_ins_override_the_main_file_in_name_order()
    {
        string main = Path.Combine(_dir, "registries.conf");
        string dropIns = Path.Combine(_dir, "registries.conf.d");
        Directory.CreateDirectory(dropIns);
        File.WriteAllText(main, """
            unqualified-search-registries = ["docker.io"]
            [[registry]]
            location = "a.test"
            insecure = false
            """);
        File.WriteAllText(Path.Combine(dropIns, "10-first.conf"), """
            unqualified-search-registries = ["first.test"]
            """);
        File.WriteAllText(Path.Combine(dropIns, "20-second.conf"), """
            unqualified-search-registries = ["second.test", "docker.io"]
            [[registry]]
            location = "a.test"
            insecure = true
            """);
        File.WriteAllText(Path.Combine(dropIns, "ignored.txt"), "not toml [");

        var config = RegistriesConfigLoader.Load(main, [dropIns, Path.Combine(_dir, "missing")]);
        Assert.Equal(["second.test", "docker.io"], config.UnqualifiedSearchRegistries);
        Assert.True(config.IsInsecure("a.test"));
        Assert.Single(config.Registries);
        Assert.Equal(main, config.SourcePath);
    }

    [Fact]
    public void A_missing_main_file_is_empty()
    {
        var config = RegistriesConfigLoader.Load(Path.Combine(_dir, "nope.conf"), []);
        Assert.Empty(config.UnqualifiedSearchRegistries);
        Assert.Empty(config.Registries);
    }

    [Fact]
    public void Environment_override_is_read_alone()
    {
        string file = Path.Combine(_dir, "override.conf");
        File.WriteAllText(file, "unqualified-search-registries = [\"override.test\"]\n");
        string? old = Environment.GetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF");
        Environment.SetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF", file);
        try
        {
            var config = RegistriesConfigLoader.Load();
            Assert.Equal(["override.test"], config.UnqualifiedSearchRegistries);
            Assert.Equal(file, config.SourcePath);
            Assert.Empty(config.Aliases);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF", old);
        }
    }

    [Theory]
    [InlineData("unqualified-search-registries = \"docker.io\"", "unqualified-search-registries must be an array of strings")]
    [InlineData("unqualified-search-registries = [1]", "unqualified-search-registries must be an array of strings")]
    [InlineData("[[registry]]\ninsecure = true", "needs a prefix or a location")]
    [InlineData("[[registry]]\nlocation = \"a\"\ninsecure = \"yes\"", "insecure must be true or false")]
    [InlineData("this is = not toml = at all", "bad.conf")]
    public void Bad_files_give_one_clear_line(string toml, string expected)
    {
        var e = Assert.Throws<RegistriesConfigException>(() => RegistriesConfigLoader.Parse(toml, "bad.conf"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad.conf: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
