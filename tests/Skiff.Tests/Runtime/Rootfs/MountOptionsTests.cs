using Skiff.Runtime;
using Skiff.Runtime.Rootfs;
using static Skiff.Interop.Libc;

namespace Skiff.Tests.Runtime.Rootfs;

public class MountOptionsTests
{
    [Fact]
    public void OptionsSplitIntoFlagsPropagationAndData()
    {
        var o = MountOptions.Parse(["ro", "nosuid", "nodev", "rbind", "rslave", "mode=755", "size=65536k", "tmpcopyup"]);
        Assert.Equal(MS_RDONLY | MS_NOSUID | MS_NODEV, o.Flags);
        Assert.True(o.Bind);
        Assert.True(o.Recursive);
        Assert.True(o.TmpCopyUp);
        Assert.Equal([MS_SLAVE | MS_REC], o.Propagation);
        Assert.Equal(["mode=755", "size=65536k"], o.Data);
        Assert.Equal("mode=755,size=65536k", o.DataString);
    }

    [Fact]
    public void LaterOptionsOverrideEarlierOnes()
    {
        var o = MountOptions.Parse(["ro", "noexec", "rw", "exec", "bind", "private", "noatime", "strictatime"]);
        Assert.Equal(MS_STRICTATIME, o.Flags); // one atime mode: the last named
        Assert.True(o.Bind);
        Assert.False(o.Recursive);
        Assert.Equal([MS_PRIVATE], o.Propagation);
        Assert.Empty(o.Data);
    }

    [Fact]
    public void RecursiveAttributesFollowMountSetattrsRules()
    {
        var o = MountOptions.Parse(["rro", "rnosuid", "rexec", "rnoatime"]);
        Assert.Equal(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME, o.RecursiveSet);
        Assert.Equal(MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME, o.RecursiveClear); // an atime mode is set by clearing them all
        var back = MountOptions.Parse(["rro", "rrw", "rrelatime"]);
        Assert.Equal(MOUNT_ATTR_RELATIME, back.RecursiveSet);
        Assert.Equal(MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME, back.RecursiveClear);
        Assert.Equal(0UL, back.Flags);
    }

    [Fact]
    public void IdmapAndTheEnginesOptionsAreNotData()
    {
        var o = MountOptions.Parse(["ridmap", "z", "Z", "U", "notmpcopyup", "copy-symlink", "nocopy", "defaults", "iversion"]);
        Assert.True(o.Idmap);
        Assert.True(o.RecursiveIdmap);
        Assert.Empty(o.Data);
        Assert.False(MountOptions.Parse(["idmap"]).RecursiveIdmap);
    }

    [Theory]
    [InlineData("rshared", MS_SHARED | MS_REC)]
    [InlineData("private", MS_PRIVATE)]
    [InlineData("runbindable", MS_UNBINDABLE | MS_REC)]
    public void RootfsPropagationValues(string value, ulong flags) => Assert.Equal(flags, MountOptions.ParsePropagation(value));

    [Fact]
    public void RootfsPropagationUnsetOrUnknown()
    {
        Assert.Null(MountOptions.ParsePropagation(null));
        Assert.Null(MountOptions.ParsePropagation(""));
        Assert.Throws<RuntimeException>(() => MountOptions.ParsePropagation("rw"));
    }

    [Fact]
    public void FlagsAreDescribedByTheirOptionNames()
    {
        Assert.Equal("ro,nosuid,nodev,noexec,relatime", MountOptions.Describe(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME));
        Assert.Equal("rslave", MountOptions.Describe(MS_SLAVE | MS_REC));
        Assert.Equal("", MountOptions.Describe(0));
    }
}
