using Skiff.Runtime;
using Skiff.Runtime.Rootfs;

namespace Skiff.Tests.Runtime.Rootfs;

public class CgroupPlanTests
{
    [Fact]
    public void HybridHostGivesEachHierarchyOfTheInitAndTheUnifiedTree()
    {
        var plan = CgroupPlan.Read(PodmanConfig.InitCgroup, PodmanConfig.HybridMountinfo);
        Assert.Equal(CgroupMode.Hybrid, plan.Mode);
        Assert.Equal(["cpu", "cpuacct", "memory", "systemd"], plan.Hierarchies.Select(h => h.Name));
        Assert.Equal("name=systemd", plan.Hierarchies[3].Controllers);
        Assert.Equal("/sys/fs/cgroup/memory/libpod_parent/libpod-8a90", plan.Hierarchies[2].HostSource);
        Assert.Equal(new CgroupHierarchy("unified", "", "/sys/fs/cgroup/unified/libpod_parent/libpod-8a90"), plan.Unified);
        Assert.Empty(plan.Symlinks);
    }

    [Fact]
    public void V2HostAndAMountWhoseRootIsNotTheHierarchysRoot()
    {
        var v2 = CgroupPlan.Read("0::/user.slice/c1\n", "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
        Assert.Equal(CgroupMode.V2, v2.Mode);
        Assert.Equal("/sys/fs/cgroup/user.slice/c1", v2.Unified!.HostSource);

        // A runtime that itself runs in a container sees its cgroup tree from /user.slice down.
        var nested = CgroupPlan.Read("0::/user.slice/c1\n", "30 22 0:26 /user.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        Assert.Equal("/sys/fs/cgroup/c1", nested.Unified!.HostSource);
        var elsewhere = CgroupPlan.Read("0::/other/c1\n", "30 22 0:26 /user.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        Assert.Null(elsewhere.Unified!.HostSource);
    }

    [Fact]
    public void MergedControllersAreLinkedUnderEachName()
    {
        var plan = CgroupPlan.Read("3:cpu,cpuacct:/c\n2:net_cls,net_prio:/c\n1:name=systemd:/c\n",
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n" +
            "33 31 0:30 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n" +
            "34 31 0:31 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n");
        Assert.Equal(CgroupMode.V1, plan.Mode);
        Assert.Null(plan.Unified);
        Assert.Equal([("cpu", "cpu,cpuacct"), ("cpuacct", "cpu,cpuacct"), ("net_cls", "net_cls,net_prio"), ("net_prio", "net_cls,net_prio")], plan.Symlinks);
    }

    [Fact]
    public void NoCgroupFilesystemIsAClearError() =>
        Assert.Equal("no cgroup filesystem is mounted on this host (/proc/self/mountinfo)",
            Assert.Throws<RuntimeException>(() => CgroupPlan.Read("0::/\n", "22 1 254:0 / / rw - ext4 /dev/vda rw\n")).Message);

    [Fact]
    public void MountinfoEscapesAreDecoded()
    {
        var m = MountInfo.Parse("40 22 0:50 /a\\040b /mnt/with\\040space\\134x rw shared:3 master:1 - tmpfs my\\011src rw,size=1k\n").Single();
        Assert.Equal(("/a b", "/mnt/with space\\x", "my\tsrc"), (m.Root, m.MountPoint, m.Source));
        Assert.Equal(["shared:3", "master:1"], m.Optional);
        Assert.Contains("size=1k", m.SuperOptions);
    }
}
