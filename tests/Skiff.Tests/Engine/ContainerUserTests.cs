using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Tests.Engine;

public sealed class ContainerUserTests
{
    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n";
    private const string Group = "root:x:0:\nalice:x:1000:\nwheel:x:10:alice,bob\naudio:x:29:alice\n";

    [Fact]
    public void Default_is_root() => Assert.Equal(new ContainerUser(0, 0, [], "/root").Uid, ContainerUser.Resolve(null, Passwd, Group).Uid);

    [Fact]
    public void Name_resolves_with_home_and_supplementary_groups()
    {
        var u = ContainerUser.Resolve("alice", Passwd, Group);
        Assert.Equal((1000u, 1000u, "/home/alice"), (u.Uid, u.Gid, u.Home));
        Assert.Equal([10u, 29u], u.AdditionalGids);
    }

    [Fact]
    public void Unknown_number_is_allowed_with_group_zero()
    {
        var u = ContainerUser.Resolve("4242", Passwd, Group);
        Assert.Equal((4242u, 0u, "/"), (u.Uid, u.Gid, u.Home));
    }

    [Fact]
    public void Explicit_group_by_name_or_number()
    {
        Assert.Equal(10u, ContainerUser.Resolve("alice:wheel", Passwd, Group).Gid);
        Assert.Equal(7u, ContainerUser.Resolve("1000:7", Passwd, Group).Gid);
    }

    [Fact]
    public void Unknown_names_are_errors_naming_them()
    {
        Assert.Contains("nobody-here", Assert.Throws<EngineException>(() => ContainerUser.Resolve("nobody-here", Passwd, Group)).Message, StringComparison.Ordinal);
        Assert.Contains("nogroup", Assert.Throws<EngineException>(() => ContainerUser.Resolve("alice:nogroup", Passwd, Group)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_id_in_the_image_is_an_error_naming_it()
        => Assert.Contains("uid of user bad", Assert.Throws<EngineException>(() => ContainerUser.Resolve("bad", "bad:x:12ab:0::/:/bin/sh\n", "")).Message, StringComparison.Ordinal);
}
