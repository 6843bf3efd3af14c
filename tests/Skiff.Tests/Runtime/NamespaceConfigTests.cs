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
        Assert.Equal([(CloneFlags.NewNet, "/run/netns/x")], BundleConfig.NamespacesToJoin(spec));
    }

    [Theory]
    [InlineData("pid")]
    [InlineData("mount")]
    [InlineData("user")]
    public void JoiningNamespacesThatNeedASingleThreadIsRefused(string type)
    {
        var e = Assert.Throws<RuntimeException>(() => BundleConfig.NamespaceFlags(With(new Namespace { Type = type, Path = "/proc/1/ns/x" })));
        Assert.Contains(type, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownNamespaceTypeIsAnError() =>
        Assert.Throws<RuntimeException>(() => BundleConfig.NamespaceFlags(With(new Namespace { Type = "time" })));

    [Fact]
    public void ConfigWithoutArgsIsRejected()
    {
        var e = Assert.Throws<RuntimeException>(() => BundleConfig.Parse("""{"process":{"args":[]},"root":{"path":"rootfs"}}"""u8.ToArray(), "config.json"));
        Assert.Contains("process.args", e.Message, StringComparison.Ordinal);
        Assert.Throws<RuntimeException>(() => BundleConfig.Parse("{not json"u8.ToArray(), "config.json"));
    }
}
