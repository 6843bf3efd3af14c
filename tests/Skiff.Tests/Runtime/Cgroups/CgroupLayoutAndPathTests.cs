using Skiff.Runtime;
using Skiff.Runtime.Cgroups;

namespace Skiff.Tests.Runtime.Cgroups;

public class CgroupLayoutAndPathTests
{
    [Fact]
    public void V1IsToldFromMagicNumbersWithTheControllersOfEachHierarchy()
    {
        using var t = FakeCgroupTree.V1();
        var l = t.Layout();
        Assert.Equal(CgroupMode.V1, l.Mode);
        Assert.Null(l.UnifiedMount);
        Assert.Equal(Path.Combine(t.Root, "memory"), l.V1["memory"].MountPoint);
        Assert.Equal(Path.Combine(t.Root, "systemd"), l.V1["name=systemd"].MountPoint);
        Assert.DoesNotContain("rw", l.V1.Keys);
    }

    [Fact]
    public void V2IsACgroup2Root()
    {
        using var t = FakeCgroupTree.V2();
        var l = t.Layout();
        Assert.Equal(CgroupMode.V2, l.Mode);
        Assert.Equal(t.Root, l.UnifiedMount);
        Assert.Empty(l.V1);
        Assert.Contains("memory", l.UnifiedControllers);
    }

    [Fact]
    public void HybridHasV1HierarchiesAndACgroup2TreeWithTheRest()
    {
        using var t = FakeCgroupTree.Hybrid();
        var l = t.Layout();
        Assert.Equal(CgroupMode.Hybrid, l.Mode);
        Assert.Equal(Path.Combine(t.Root, "unified"), l.UnifiedMount);
        Assert.Equal(["hugetlb"], l.UnifiedControllers);
        Assert.False(l.V1.ContainsKey("hugetlb"));
    }

    [Fact]
    public void ANameThatIsNotACgroupFileSystemDoesNotCount()
    {
        using var t = FakeCgroupTree.V1("memory");
        Directory.CreateDirectory(Path.Combine(t.Root, "unified")); // a plain directory, not cgroup2
        Assert.Equal(CgroupMode.V1, t.Layout().Mode);
    }

    [Fact]
    public void AMissingRootIsAClearError()
    {
        using var t = FakeCgroupTree.V1();
        var e = Assert.Throws<RuntimeException>(() => CgroupLayout.Detect(t, Path.Combine(t.Root, "nope")));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a/b/../c", "/a/c")]
    [InlineData("/../../etc", "/etc")]
    [InlineData("a/../../b", "b")]
    [InlineData("../..", ".")]
    [InlineData("//x//y/", "/x/y")]
    [InlineData("./x/./y", "x/y")]
    public void CleanNeverClimbsAboveWhereThePathIsJoined(string path, string clean) => Assert.Equal(clean, CgroupPaths.Clean(path));

    [Fact]
    public void CgroupfsPathsFollowRunc()
    {
        Assert.Equal("/libpod_parent/libpod-1", CgroupPaths.CgroupfsPath("/libpod_parent/libpod-1", "c1"));
        Assert.Equal("c1", CgroupPaths.CgroupfsPath(null, "c1"));
        Assert.Equal("c1", CgroupPaths.CgroupfsPath("", "c1"));
        Assert.Equal("x/y", CgroupPaths.CgroupfsPath("../x/y", "c1"));
    }

    [Fact]
    public void AbsolutePathsAreUnderEachHierarchyRootAndTheUnifiedTree()
    {
        using var t = FakeCgroupTree.Hybrid();
        var m = CgroupfsManager.ForPath(t.Layout(), "/skiff/c1", rootless: false, devicesEbpf: false);
        Assert.Equal(Path.Combine(t.Root, "memory/skiff/c1"), m.State.Paths["memory"]);
        Assert.Equal(Path.Combine(t.Root, "systemd/skiff/c1"), m.State.Paths["name=systemd"]);
        Assert.Equal(Path.Combine(t.Root, "unified/skiff/c1"), m.State.Paths[""]);
        Assert.False(m.State.DevicesEbpf);
        Assert.True(CgroupfsManager.ForPath(t.Layout(), "/skiff/c1", false, devicesEbpf: true).State.DevicesEbpf);
    }

    [Fact]
    public void RelativePathsAreUnderOurOwnCgroupOnV1AndTheUnifiedTreeOfAHybridHost()
    {
        using var t = FakeCgroupTree.Hybrid();
        t.Own["memory"] = "/process_api/abc";
        t.Own[""] = "/session";
        var m = CgroupfsManager.ForPath(t.Layout(), CgroupPaths.CgroupfsPath(null, "c1"), false, false);
        Assert.Equal(Path.Combine(t.Root, "memory/process_api/abc/c1"), m.State.Paths["memory"]);
        Assert.Equal(Path.Combine(t.Root, "pids/c1"), m.State.Paths["pids"]);
        Assert.Equal(Path.Combine(t.Root, "unified/session/c1"), m.State.Paths[""]);
    }

    [Fact]
    public void RelativePathsOnV2AreUnderTheParentOfOurOwnCgroup()
    {
        using var t = FakeCgroupTree.V2();
        var m = CgroupfsManager.ForPath(t.Layout(), "c1", false, false);
        Assert.Equal(Path.Combine(t.Root, "user.slice/c1"), m.State.Paths[""]);
        Assert.Single(m.State.Paths);
        Assert.True(m.State.DevicesEbpf);
    }

    [Fact]
    public void SystemdPathsAreSlicePrefixName()
    {
        Assert.Equal(new SystemdUnitName("machine.slice", "libpod", "abc"), CgroupPaths.SystemdUnit("machine.slice:libpod:abc", "id", false));
        Assert.Equal("libpod-abc.scope", CgroupPaths.SystemdUnit("machine.slice:libpod:abc", "id", false).Unit);
        Assert.Equal("abc.scope", CgroupPaths.SystemdUnit("machine.slice::abc", "id", false).Unit);
        Assert.Equal("x.slice", CgroupPaths.SystemdUnit("machine.slice:p:x.slice", "id", false).Unit);
        Assert.Equal(new SystemdUnitName("system.slice", "skiff-runtime", "id"), CgroupPaths.SystemdUnit(null, "id", false));
        Assert.Equal("user.slice", CgroupPaths.SystemdUnit("", "id", true).Slice);
        var e = Assert.Throws<RuntimeException>(() => CgroupPaths.SystemdUnit("/a/b", "id", false));
        Assert.Contains("slice:prefix:name", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-.slice", "/")]
    [InlineData("system.slice", "/system.slice")]
    [InlineData("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice")]
    public void SlicesExpandAsSystemdDoes(string slice, string path) => Assert.Equal(path, CgroupPaths.ExpandSlice(slice));

    [Theory]
    [InlineData("a--b.slice")]
    [InlineData("-a.slice")]
    [InlineData("a.scope")]
    [InlineData("a/b.slice")]
    public void BadSlicesAreRefused(string slice) => Assert.Throws<RuntimeException>(() => CgroupPaths.ExpandSlice(slice));

    [Fact]
    public void SystemdCgroupWithoutSystemdIsAOneLineError()
    {
        if (Directory.Exists(CgroupSetup.SystemdRunDir)) return; // a host where systemd runs: the D-Bus path applies
        using var t = FakeCgroupTree.V1();
        var spec = new Skiff.Oci.Runtime.Spec();
        var e = Assert.Throws<RuntimeException>(() => CgroupSetup.ForNew(spec, "c1", systemdCgroup: true, rootless: false, t.Layout()));
        Assert.Contains("systemd is not running", e.Message, StringComparison.Ordinal);
        Assert.Contains("/run/systemd/system", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
    }
}
