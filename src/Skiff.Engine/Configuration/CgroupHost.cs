namespace Skiff.Engine.Configuration;

/// <summary>What the host's cgroup setup means for container defaults (podman's containers.conf cgroupns).</summary>
public static class CgroupHost
{
    private static readonly Lazy<bool> s_unified = new(() =>
    {
        try
        {
            // Field 5 is the mount point; after " - " come the file system type and source.
            foreach (string line in File.ReadLines("/proc/self/mountinfo"))
            {
                string[] f = line.Split(' ');
                int dash = Array.IndexOf(f, "-");
                if (f.Length > 4 && f[4] == "/sys/fs/cgroup" && dash > 0 && dash + 1 < f.Length) return f[dash + 1] == "cgroup2";
            }
        }
        catch (IOException) { }
        return false;
    });

    /// <summary>True on a cgroup v2 (unified) host; false on v1 and hybrid ones.</summary>
    public static bool IsUnified => s_unified.Value;

    /// <summary>podman's default: a private cgroup namespace on cgroup v2, the host's on v1 and hybrid.</summary>
    public static bool PrivateCgroupNamespace => IsUnified;
}
