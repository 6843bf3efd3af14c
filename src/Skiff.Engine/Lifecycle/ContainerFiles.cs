using Skiff.Engine.Configuration;
using Skiff.Storage;

namespace Skiff.Engine.Lifecycle;

/// <summary>
/// Where one container's files live. What must survive a reboot (the bundle with config.json, the log) is under
/// the graph root beside the container's layer; what describes a running container (pid file, runtime log, exit
/// file, attach socket, lock) is under the run root, which a reboot empties.
/// </summary>
public sealed class ContainerFiles(SkiffPaths paths, string id)
{
    public string Id => id;
    public ContainerLayerPaths Layer { get; } = new ContainerLayerStore(paths.GraphRoot).PathsOf(id);
    /// <summary>The OCI bundle: config.json, hostname, hosts, resolv.conf (podman's userdata).</summary>
    public string Bundle => Path.Combine(Layer.Dir, "userdata");
    public string LogPath => Path.Combine(Bundle, "ctr.log");
    public string RunDir => Path.Combine(paths.RunRoot, "containers", id);
    public string PidFile => Path.Combine(RunDir, "pidfile");
    public string RuntimeLog => Path.Combine(RunDir, "runtime.log");
    /// <summary>Written by the monitor once the container has exited: the exit code; its time is the exit's.</summary>
    public string ExitFile => Path.Combine(paths.RunRoot, "exits", id);
    /// <summary>The monitor's attach socket (short: a unix socket path has at most 107 bytes).</summary>
    public string AttachSocket => Path.Combine(paths.RunRoot, "sock", id);
    /// <summary>Held while the container changes state, so that two commands on one container take turns.</summary>
    public string LockFile => Path.Combine(paths.RunRoot, "locks", id + ".lock");

    /// <summary>
    /// Creates the shared run-root directories these files go in. Not <see cref="RunDir"/>, the container's own: that is
    /// made only by whoever is about to write in it (<see cref="EnsureRunDir"/>, under the container's lock), so that a
    /// command that found the container just before an `rm` removed it cannot bring the directory back.
    /// </summary>
    public void EnsureRunDirectories()
    {
        foreach (string dir in new[] { Path.GetDirectoryName(ExitFile)!, Path.GetDirectoryName(AttachSocket)!, Path.GetDirectoryName(LockFile)! })
            Directory.CreateDirectory(dir);
    }

    /// <summary>Creates <see cref="RunDir"/> (the monitor's pid file and logs, exec's process files).</summary>
    public void EnsureRunDir() => Directory.CreateDirectory(RunDir);
}
