using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Tests.Engine;

public sealed class UserNamespaceModeTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("host")]
    public void Host_and_empty_are_the_engines_namespace(string? mode)
    {
        Assert.False(UserNamespaceMode.Parse(mode, rootless: true).KeepId);
        Assert.False(UserNamespaceMode.Parse(mode, rootless: false).KeepId);
    }

    [Fact]
    public void Keep_id_takes_uid_and_gid() =>
        Assert.Equal(new UserNamespaceMode(true, 5, 7), UserNamespaceMode.Parse("keep-id:uid=5,gid=7", rootless: true));

    [Theory]
    [InlineData("keep-id", "keep-id is only supported in rootless mode", false)]
    [InlineData("keep-id:uid=x", "keep-id is only supported in rootless mode", false)]
    [InlineData("keep-id:uid=x", "strconv.ParseUint: parsing \"x\": invalid syntax", true)]
    [InlineData("keep-id:foo=1", "unknown option specified: \"foo\"", true)]
    [InlineData("bogus", "unrecognized namespace mode bogus passed", true)]
    public void Podmans_words_for_what_it_refuses(string mode, string message, bool rootless) =>
        Assert.Equal(message, Assert.Throws<EngineException>(() => UserNamespaceMode.Parse(mode, rootless)).Message);

    [Fact]
    public void Keep_id_maps_are_podmans_and_shift_ids_around_the_user()
    {
        var maps = KeepIdMaps.Make(1001, 1001, 65537, 65537);
        Assert.Equal([(0u, 1u, 1001u), (1001u, 0u, 1u), (1002u, 1002u, 64535u)], maps.Uids.Select(m => (m.ContainerId, m.HostId, m.Size)));
        Assert.Equal(1u, KeepIdMaps.Outside(maps.Uids, 0));
        Assert.Equal(0u, KeepIdMaps.Outside(maps.Uids, 1001));
        Assert.Equal(1001u, KeepIdMaps.Outside(maps.Uids, 1000));
        Assert.Equal(2000u, KeepIdMaps.Outside(maps.Uids, 2000));
        Assert.Throws<EngineException>(() => KeepIdMaps.Make(70000, 0, 65537, 65537));
        Assert.Equal((1001u, 65537u), KeepIdMaps.ParseOwnMap("         0       1001          1\n         1     100000      65536\n"));
    }

    [Fact]
    public void Keep_id_user_gets_podmans_passwd_and_group_entries()
    {
        const string hostPasswd = "root:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001:Bob B:/home/bob:/bin/bash\n";
        const string hostGroup = "root:x:0:\nbobs:x:1001:\n";
        const string image = "root:x:0:0:root:/root:/bin/sh\n";
        var mode = UserNamespaceMode.Parse("keep-id", rootless: true);
        var u = KeepIdUser.Make(mode, 1001, 1001, hostPasswd, hostGroup, image, "root:x:0:\n", "/work", _ => false);
        Assert.Equal("bob:*:1001:1001:Bob B:/work:/bin/sh", u.PasswdLine);
        Assert.Equal("bobs:x:1001:bob", u.GroupLine);
        Assert.Equal((1001u, 1001u, "/work"), (u.User.Uid, u.User.Gid, u.User.Home));
        Assert.Equal([1001u], u.User.AdditionalGids);
        // The home, or a directory above it, in the container (a mount on /home): the user's own home.
        var mounted = KeepIdUser.Make(mode, 1001, 1001, hostPasswd, hostGroup, image, null, "/", d => d == "/home");
        Assert.Equal("bob:*:1001:1001:Bob B:/home/bob:/bin/sh", mounted.PasswdLine);
        // An image that has the user keeps its entry.
        Assert.Null(KeepIdUser.Make(mode, 1001, 1001, hostPasswd, hostGroup, image + "bob:x:1001:1001::/b:/bin/sh\n", null, "/", _ => false).PasswdLine);
        var numeric = KeepIdUser.Make(UserNamespaceMode.Parse("keep-id:uid=5,gid=7", true), 1001, 1001, hostPasswd, hostGroup, image, null, "/", _ => true);
        Assert.Equal(("5:*:5:7:container user:/:/bin/sh", "7:x:7:5"), (numeric.PasswdLine, numeric.GroupLine));
        Assert.Equal("root:x:0:0:root:/root:/bin/sh\nx\n", KeepIdUser.Append("root:x:0:0:root:/root:/bin/sh", "x"));
    }

    [Fact]
    public void Keep_id_adds_no_group_entry_when_the_image_has_the_group()
    {
        var mode = UserNamespaceMode.Parse("keep-id", rootless: true);
        var u = KeepIdUser.Make(mode, 1001, 1001, "bob:x:1001:1001::/home/bob:/bin/sh\n", "bobs:x:1001:\n", "root:x:0:0::/:/bin/sh\n", "staff:x:1001:\n", "/", _ => false);
        Assert.Null(u.GroupLine);
        Assert.NotNull(u.PasswdLine);
    }
}
