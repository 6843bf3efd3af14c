using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Rootfs;

namespace Skiff.Tests.Runtime.Rootfs;

/// <summary>linux.sysctl is checked as runc checks it: a key only where the container has the namespace that scopes it.</summary>
public class SysctlTests
{
    private static Spec With(string key, string value, params string[] namespaces) => new()
    {
        Linux = new Linux
        {
            Sysctl = new() { [key] = value },
            Namespaces = [.. namespaces.Select(n => n.Contains('=', StringComparison.Ordinal)
                ? new Namespace { Type = n.Split('=')[0], Path = n.Split('=')[1] } : new Namespace { Type = n })],
        },
    };

    [Theory]
    [InlineData("net.ipv4.ip_forward", "network")]
    [InlineData("net.ipv4.ping_group_range", "network=/run/netns/pod")]
    [InlineData("kernel.shmmax", "ipc")]
    [InlineData("kernel.msgmnb", "ipc")]
    [InlineData("kernel.sem", "ipc")]
    [InlineData("fs.mqueue.msg_max", "ipc")]
    [InlineData("kernel.domainname", "uts")]
    [InlineData("kernel.hostname", "uts")]
    public void NamespacedKeysAreAllowedWithTheirNamespace(string key, string ns) => Sysctl.Validate(With(key, "1", ns, "mount"));

    [Theory]
    [InlineData("net.ipv4.ip_forward", "ipc", "sysctl net.ipv4.ip_forward is not allowed in the host's network namespace: the container needs a network namespace")]
    [InlineData("kernel.shmmax", "network", "sysctl kernel.shmmax is not allowed in the host's ipc namespace: the container needs an ipc namespace")]
    [InlineData("fs.mqueue.queues_max", "uts", "sysctl fs.mqueue.queues_max is not allowed in the host's ipc namespace: the container needs an ipc namespace")]
    [InlineData("kernel.domainname", "ipc", "sysctl kernel.domainname is not allowed in the host's uts namespace: the container needs a uts namespace")]
    [InlineData("kernel.pid_max", "ipc", "sysctl kernel.pid_max is not in a namespace of the container: only net.*, fs.mqueue.*, kernel.msg*/sem/shm* and kernel.hostname/domainname are allowed")]
    [InlineData("vm.swappiness", "network", "sysctl vm.swappiness is not in a namespace of the container: only net.*, fs.mqueue.*, kernel.msg*/sem/shm* and kernel.hostname/domainname are allowed")]
    [InlineData("fs.file-max", "ipc", "sysctl fs.file-max is not in a namespace of the container: only net.*, fs.mqueue.*, kernel.msg*/sem/shm* and kernel.hostname/domainname are allowed")]
    public void OtherKeysOrMissingNamespacesAreRefused(string key, string ns, string message) =>
        Assert.Equal(message, Assert.Throws<RuntimeException>(() => Sysctl.Validate(With(key, "1", ns))).Message);

    [Fact]
    public void JoiningTheRuntimesOwnNetworkNamespaceIsTheHosts()
    {
        var spec = With("net.ipv4.ip_forward", "1", "network=/proc/1/ns/net");
        Sysctl.Validate(spec, _ => false);
        var e = Assert.Throws<RuntimeException>(() => Sysctl.Validate(spec, p => p == "/proc/1/ns/net"));
        Assert.Equal("sysctl net.ipv4.ip_forward is not allowed: the network namespace /proc/1/ns/net is the host's", e.Message);
    }

    [Fact]
    public void TheRuntimesOwnNetworkNamespaceIsRecognisedByItsInode()
    {
        Assert.True(Sysctl.IsRuntimeNetworkNamespace("/proc/self/ns/net"));
        Assert.True(Sysctl.IsRuntimeNetworkNamespace($"/proc/{Environment.ProcessId}/ns/net"));
        Assert.False(Sysctl.IsRuntimeNetworkNamespace("/proc/self/ns/ipc"));
        Assert.False(Sysctl.IsRuntimeNetworkNamespace("/nonexistent"));
    }

    [Fact]
    public void KernelHostnameMustAgreeWithTheHostnameField()
    {
        var spec = With("kernel.hostname", "a", "uts");
        spec.Hostname = "b";
        Assert.Equal("sysctl kernel.hostname conflicts with the config's hostname b", Assert.Throws<RuntimeException>(() => Sysctl.Validate(spec)).Message);
        spec.Hostname = "a";
        Sysctl.Validate(spec);
    }

    [Theory]
    [InlineData("net.ipv4.ip_forward", "net/ipv4/ip_forward")]
    [InlineData("net.ipv4.conf.eth0/1.rp_filter", "net/ipv4/conf/eth0.1/rp_filter")]
    [InlineData("kernel.shm_rmid_forced", "kernel/shm_rmid_forced")]
    public void KeysAreFilesUnderProcSys(string key, string path) => Assert.Equal(path, Sysctl.PathOf(key));

    [Theory]
    [InlineData("net..x")]
    [InlineData("net.ipv4./..")]
    [InlineData(".net")]
    [InlineData("net.ipv4 x")]
    public void MalformedKeysAreRefused(string key) => Assert.Throws<RuntimeException>(() => Sysctl.PathOf(key));
}
