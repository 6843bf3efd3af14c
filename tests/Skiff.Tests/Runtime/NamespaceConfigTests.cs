using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Config;

namespace Skiff.Tests.Runtime;

public class NamespaceConfigTests
{
    private static Spec With(params Namespace[] namespaces) => new() { Linux = new Linux { Namespaces = [.. namespaces] } };

    [Fact]
    public void NamespacesWithoutPathAreCreated()
    {
        var spec = With(new() { Type = "pid" }, new() { Type = "mount" }, new() { Type = "user" }, new() { Type = "cgroup" },
            new() { Type = "network", Path = "/run/netns/x" });
        Assert.Equal(CloneFlags.NewPid | CloneFlags.NewNs | CloneFlags.NewUser | CloneFlags.NewCgroup, BundleConfig.NamespaceFlags(spec));
        Assert.Equal([("network", CloneFlags.NewNet, "/run/netns/x")], BundleConfig.NamespacesToJoin(spec));
    }

    [Fact]
    public void EveryNamespaceMayBeJoinedByPathTheUserNamespaceFirst()
    {
        var spec = With(new() { Type = "pid", Path = "/proc/9/ns/pid" }, new() { Type = "mount", Path = "/proc/9/ns/mnt" },
            new() { Type = "user", Path = "/proc/9/ns/user" });
        Assert.Equal(0UL, BundleConfig.NamespaceFlags(spec));
        Assert.Equal(["user", "pid", "mount"], BundleConfig.NamespacesToJoin(spec).Select(j => j.Type));
        Assert.True(BundleConfig.JoinsNamespace(spec, "user"));
        Assert.False(BundleConfig.JoinsNamespace(spec, "network"));
    }

    [Fact]
    public void ANamespaceListedTwiceIsAnError()
    {
        var e = Assert.Throws<RuntimeException>(() => BundleConfig.NamespaceFlags(With(new Namespace { Type = "pid" }, new Namespace { Type = "pid", Path = "/x" })));
        Assert.Equal("linux.namespaces lists the pid namespace twice", e.Message);
    }

    [Fact]
    public void UnknownNamespaceTypeIsAnError()
    {
        var e = Assert.Throws<RuntimeException>(() => BundleConfig.NamespaceFlags(With(new Namespace { Type = "network2" })));
        Assert.Contains("network2", e.Message, StringComparison.Ordinal);
        Assert.Equal(CloneFlags.NewTime, BundleConfig.NamespaceFlags(With(new Namespace { Type = "time" })));
    }

    [Fact]
    public void ConfigWithoutArgsIsRejected()
    {
        var e = Assert.Throws<RuntimeException>(() => BundleConfig.Parse("""{"process":{"args":[]},"root":{"path":"rootfs"}}"""u8.ToArray(), "config.json"));
        Assert.Contains("process.args", e.Message, StringComparison.Ordinal);
        Assert.Throws<RuntimeException>(() => BundleConfig.Parse("{not json"u8.ToArray(), "config.json"));
    }
}
