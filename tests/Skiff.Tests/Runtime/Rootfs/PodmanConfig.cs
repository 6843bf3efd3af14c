namespace Skiff.Tests.Runtime.Rootfs;

/// <summary>
/// The config.json podman 4.3 wrote for `podman --runtime runc run --tmpfs /mytmp -v /tmp/vsrc:/data:ro busybox`
/// on this project's test host (rootful, cgroupfs manager, hybrid cgroups), with its ids shortened; and that
/// host's /proc/self/mountinfo and the init's /proc/self/cgroup.
/// </summary>
internal static class PodmanConfig
{
    public const string Userdata = "/run/containers/storage/overlay-containers/8a90/userdata";
    public const string Cgroup = "/libpod_parent/libpod-8a90";

    public const string Json = """
    {
      "ociVersion": "1.0.2-dev",
      "process": { "user": { "uid": 0, "gid": 0 }, "args": [ "sh" ], "cwd": "/" },
      "root": { "path": "/rootfs" },
      "hostname": "8a90a569d465",
      "mounts": [
        { "destination": "/data", "type": "bind", "source": "/tmp/vsrc", "options": [ "ro", "rprivate", "rbind" ] },
        { "destination": "/mytmp", "type": "tmpfs", "source": "tmpfs", "options": [ "rw", "rprivate", "nosuid", "nodev", "tmpcopyup" ] },
        { "destination": "/proc", "type": "proc", "source": "proc", "options": [ "nosuid", "noexec", "nodev" ] },
        { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "noexec", "strictatime", "mode=755", "size=65536k" ] },
        { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] },
        { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
        { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": [ "nosuid", "noexec", "nodev" ] },
        { "destination": "/etc/hostname", "type": "bind", "source": "/run/containers/storage/overlay-containers/8a90/userdata/hostname", "options": [ "bind", "rprivate" ] },
        { "destination": "/dev/shm", "type": "bind", "source": "/var/lib/containers/storage/overlay-containers/8a90/userdata/shm", "options": [ "bind", "rprivate", "nosuid", "noexec", "nodev" ] },
        { "destination": "/run/.containerenv", "type": "bind", "source": "/run/containers/storage/overlay-containers/8a90/userdata/.containerenv", "options": [ "bind", "rprivate" ] },
        { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": [ "rprivate", "nosuid", "noexec", "nodev", "relatime", "ro" ] }
      ],
      "linux": {
        "sysctl": { "net.ipv4.ping_group_range": "0 0" },
        "cgroupsPath": "/libpod_parent/libpod-8a90",
        "namespaces": [
          { "type": "pid" }, { "type": "network", "path": "/run/netns/netns-ad21" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }
        ],
        "maskedPaths": [ "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
          "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux", "/sys/dev/block" ],
        "readonlyPaths": [ "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]
      }
    }
    """;

    public const string HybridMountinfo = """
    22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
    23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
    24 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:3 - proc proc rw
    31 23 0:28 / /sys/fs/cgroup rw,relatime shared:4 - tmpfs tmpfs rw,mode=755
    32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime shared:5 - cgroup cgroup rw,cpu
    33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime shared:6 - cgroup cgroup rw,cpuacct
    35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:8 - cgroup cgroup rw,memory
    40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime shared:13 - cgroup cgroup rw,name=systemd
    41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:14 - cgroup2 cgroup2 rw
    """;

    public const string InitCgroup = """
    9:name=systemd:/libpod_parent/libpod-8a90
    4:memory:/libpod_parent/libpod-8a90
    2:cpuacct:/libpod_parent/libpod-8a90
    1:cpu:/libpod_parent/libpod-8a90
    0::/libpod_parent/libpod-8a90
    """;
}
