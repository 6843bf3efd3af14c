using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Rootfs;

/// <summary>
/// linux.sysctl, checked as runc checks it: only keys the kernel scopes to a namespace, and only when the
/// container has that namespace of its own (new or joined by path, but not the runtime's own): net.* needs
/// a network namespace; kernel.msg*, kernel.sem, kernel.shm* and fs.mqueue.* an ipc namespace;
/// kernel.domainname (and kernel.hostname when process.hostname does not set it) a uts namespace.
/// </summary>
public static class Sysctl
{
    private static readonly HashSet<string> IpcKeys = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
        "kernel.shm_rmid_forced",
    };

    /// <summary>
    /// Throws a <see cref="RuntimeException"/> naming the first key the container may not set.
    /// <paramref name="isRuntimeNetworkNamespace"/> tells whether a network namespace path is the one the runtime
    /// itself runs in (joining it is sharing the host's); null skips that check.
    /// </summary>
    public static void Validate(Spec spec, Func<string, bool>? isRuntimeNetworkNamespace = null)
    {
        var sysctl = spec.Linux?.Sysctl;
        if (sysctl is null || sysctl.Count == 0) return;
        var namespaces = spec.Linux?.Namespaces ?? [];
        bool Has(string type) => namespaces.Any(n => n.Type == type);
        foreach (string key in sysctl.Keys.Order(StringComparer.Ordinal))
        {
            _ = PathOf(key);
            if (IpcKeys.Contains(key) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            {
                if (!Has("ipc")) throw new RuntimeException($"sysctl {key} is not allowed in the host's ipc namespace: the container needs an ipc namespace");
                continue;
            }
            if (key.StartsWith("net.", StringComparison.Ordinal))
            {
                var net = namespaces.FirstOrDefault(n => n.Type == "network");
                if (net is null) throw new RuntimeException($"sysctl {key} is not allowed in the host's network namespace: the container needs a network namespace");
                if (!string.IsNullOrEmpty(net.Path) && isRuntimeNetworkNamespace?.Invoke(net.Path) == true)
                    throw new RuntimeException($"sysctl {key} is not allowed: the network namespace {net.Path} is the host's");
                continue;
            }
            if (key is "kernel.domainname" or "kernel.hostname")
            {
                if (!Has("uts")) throw new RuntimeException($"sysctl {key} is not allowed in the host's uts namespace: the container needs a uts namespace");
                if (key == "kernel.hostname" && !string.IsNullOrEmpty(spec.Hostname) && spec.Hostname != sysctl[key])
                    throw new RuntimeException($"sysctl kernel.hostname conflicts with the config's hostname {spec.Hostname}");
                continue;
            }
            throw new RuntimeException($"sysctl {key} is not in a namespace of the container: only net.*, fs.mqueue.*, kernel.msg*/sem/shm* and kernel.hostname/domainname are allowed");
        }
    }

    /// <summary>For <see cref="Validate"/> in `create`: whether a namespace file is the network namespace this process runs in (the host's, for the container).</summary>
    public static bool IsRuntimeNetworkNamespace(string path)
    {
        const int AT_FDCWD = -100;
        if (Interop.Libc.Statx(AT_FDCWD, path, 0, Interop.Libc.STATX_BASIC_STATS, out var target) != 0) return false;
        if (Interop.Libc.Statx(AT_FDCWD, "/proc/self/ns/net", 0, Interop.Libc.STATX_BASIC_STATS, out var own) != 0) return false;
        return (target.Ino, target.DevMajor, target.DevMinor) == (own.Ino, own.DevMajor, own.DevMinor);
    }

    /// <summary>
    /// The file under /proc/sys for a key, as sysctl(8) reads it: "." separates, and a "/" in the key stands
    /// for a "." in a name (net.ipv4.conf.eth0/1.forwarding is net/ipv4/conf/eth0.1/forwarding).
    /// </summary>
    public static string PathOf(string key)
    {
        string path = string.Concat(key.Select(c => c switch { '.' => '/', '/' => '.', _ => c }));
        if (path.Length == 0 || path.Split('/').Any(p => p is "" or "." or ".." ) || path.Any(c => char.IsControl(c) || c == ' '))
            throw new RuntimeException($"sysctl {key}: not a valid key");
        return path;
    }

    /// <summary>Writes the config's sysctls under the container's /proc/sys (after pivot_root: <paramref name="root"/> is "/").</summary>
    internal static void Apply(IMountKernel kernel, Node root, Spec spec)
    {
        var sysctl = spec.Linux?.Sysctl;
        if (sysctl is null || sysctl.Count == 0) return;
        Validate(spec);
        using var procSys = kernel.Resolve(root, "/proc/sys", Create.Nothing)
            ?? throw new RuntimeException("linux.sysctl needs /proc mounted in the container");
        if (kernel.FilesystemType(procSys) != Interop.Libc.PROC_SUPER_MAGIC)
            throw new RuntimeException("linux.sysctl: /proc/sys in the container is not the proc filesystem");
        foreach (var (key, value) in sysctl.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            kernel.WriteBeneath(procSys, PathOf(key), value);
    }
}
