using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Security;

namespace Skiff.Tests.Engine;

/// <summary>The capability, security-opt and resource flags of `run`, with podman 4.3's results and words (checked against podman here).</summary>
public sealed class SecurityFlagsTests
{
    [Fact]
    public void Root_gets_podmans_default_capabilities_in_bounding_effective_and_permitted()
    {
        var caps = CapabilitySet.Resolve([], [], privileged: false, rootUser: true);
        Assert.Equal(CapabilitySet.Defaults, caps.Bounding);
        Assert.Equal(caps.Bounding, caps.Effective);
        Assert.Equal(caps.Bounding, caps.Permitted);
        Assert.Empty(caps.Inheritable);
        Assert.Empty(caps.Ambient);
        Assert.DoesNotContain("CAP_MKNOD", caps.Bounding);
        Assert.DoesNotContain("CAP_AUDIT_WRITE", caps.Bounding);
    }

    [Fact]
    public void Cap_add_and_cap_drop_take_any_spelling_and_all()
    {
        Assert.Equal(["CAP_CHOWN"], CapabilitySet.Resolve(["chown"], ["all"], false, true).Effective);
        Assert.Contains("CAP_NET_ADMIN", CapabilitySet.Resolve(["net_admin"], [], false, true).Bounding);
        Assert.DoesNotContain("CAP_KILL", CapabilitySet.Resolve([], ["CAP_KILL"], false, true).Bounding);
        Assert.Equal(CapabilitySet.All.Count, CapabilitySet.Resolve(["ALL"], [], false, true).Bounding.Count);
        var e = Assert.Throws<EngineException>(() => CapabilitySet.Resolve(["foo"], [], false, true));
        Assert.Equal("\"CAP_FOO\": unknown capability", e.Message);
    }

    [Fact]
    public void Another_user_keeps_only_the_added_capabilities_in_every_set_ambient_included()
    {
        var caps = CapabilitySet.Resolve(["NET_ADMIN"], [], privileged: false, rootUser: false);
        Assert.Contains("CAP_CHOWN", caps.Bounding);
        Assert.Equal(["CAP_NET_ADMIN"], caps.Effective);
        Assert.Equal(["CAP_NET_ADMIN"], caps.Permitted);
        Assert.Equal(["CAP_NET_ADMIN"], caps.Inheritable);
        Assert.Equal(["CAP_NET_ADMIN"], caps.Ambient);
    }

    [Fact]
    public void Privileged_is_every_capability()
    {
        var caps = CapabilitySet.Resolve([], ["all"], privileged: true, rootUser: true);
        Assert.Equal(CapabilitySet.All.Order(StringComparer.Ordinal), caps.Effective);
    }

    [Theory]
    [InlineData("64m", 64L << 20)]
    [InlineData("64M", 64L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("512k", 512L << 10)]
    [InlineData("100", 100L)]
    [InlineData("1.5g", 3L << 29)]
    [InlineData("2mb", 2L << 20)]
    public void Sizes_are_parsed_as_docker_go_units_does(string text, long bytes) =>
        Assert.Equal(bytes, ResourceFlags.Bytes("memory", text));

    [Fact]
    public void Bad_resource_flags_get_podmans_words()
    {
        Assert.Equal("invalid value for memory: invalid size: 'abc'",
            Assert.Throws<EngineException>(() => new ResourceFlags { Memory = "abc" }.ToResources()).Message);
        Assert.Equal("minimum memoryswap limit should be larger than memory limit, see usage",
            Assert.Throws<EngineException>(() => new ResourceFlags { Memory = "64m", MemorySwap = "32m" }.ToResources()).Message);
        Assert.Equal("invalid argument \"abc\" for \"--cpus\" flag: strconv.ParseFloat: parsing \"abc\": invalid syntax",
            Assert.Throws<EngineException>(() => new ResourceFlags { Cpus = "abc" }.ToResources()).Message);
        Assert.Equal("invalid argument \"x\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"x\": invalid syntax",
            Assert.Throws<EngineException>(() => new ResourceFlags { PidsLimit = "x" }.ToResources()).Message);
    }

    [Fact]
    public void Resource_flags_become_podmans_linux_resources()
    {
        var r = new ResourceFlags { Memory = "64m", PidsLimit = "33", Cpus = "1.5" }.ToResources();
        Assert.Equal(64L << 20, r.Memory!.Limit);
        Assert.Equal(128L << 20, r.Memory.Swap);
        Assert.Equal(33, r.Pids!.Limit);
        Assert.Equal(150000, r.Cpu!.Quota);
        Assert.Equal(100000UL, r.Cpu.Period);
        Assert.False(Assert.Single(r.Devices!).Allow);
    }

    [Fact]
    public void Security_options_as_podman_reads_them()
    {
        var o = SecurityOptions.Parse(["seccomp=unconfined", "no-new-privileges", "mask=/a:/b", "unmask=/proc/kcore"]);
        Assert.True(o.SeccompUnconfined);
        Assert.True(o.NoNewPrivileges);
        Assert.Equal(["/a", "/b"], o.Mask);
        Assert.Equal(["/proc/kcore"], o.Unmask);
        Assert.Equal("/x.json", SecurityOptions.Parse(["seccomp=/x.json"]).SeccompProfile);
        Assert.Equal("invalid --security-opt 2: \"bogus\"", Assert.Throws<EngineException>(() => SecurityOptions.Parse(["no-new-privileges", "bogus"])).Message);
    }
}
