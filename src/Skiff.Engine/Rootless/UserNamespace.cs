using System.Globalization;
using System.Runtime.InteropServices;
using Skiff.Engine.Configuration;
using Skiff.Engine.Processes;
using Skiff.Interop;

namespace Skiff.Engine.Rootless;

/// <summary>
/// Rootless Skiff works as podman does: the command re-executes itself in a new user namespace (and mount
/// namespace) where the caller is uid 0 and uids 1.. are the caller's /etc/subuid range; storage, overlay
/// mounts and the OCI runtime all run in there. The outer process only writes the id maps (through the setuid
/// newuidmap/newgidmap, or a single-id map written directly when the user has no range), forwards signals and
/// hands back the exit code.
/// </summary>
public static class UserNamespace
{
    public static bool IsInsideRootlessNamespace => Environment.GetEnvironmentVariable(SkiffPaths.RootlessUidVariable) is not null;

    /// <summary>True when a command that touches storage must first re-execute itself in the user namespace
    /// (<see cref="ReexecInside"/>): not root, and not already inside it.</summary>
    public static bool NeedsReexec => Libc.GetEUid() != 0 && !IsInsideRootlessNamespace;

    /// <summary>
    /// Runs this same command line inside the user's namespaces (those of its pause process, started when none
    /// runs) and returns its exit code.
    /// </summary>
    public static int ReexecInside(string[] args)
    {
        uint uid = Libc.GetUid(), gid = Libc.GetGid();
        string self = Environment.ProcessPath ?? throw new EngineException("cannot find the skiff executable (Environment.ProcessPath)");
        string name = SubordinateIds.UserName(uid) ?? uid.ToString(CultureInfo.InvariantCulture);
        var uidRanges = SubordinateIds.Read("/etc/subuid", name, uid);
        var gidRanges = SubordinateIds.Read("/etc/subgid", name, gid);

        var env = ProcessEnvironment.Current(except: ["XDG_RUNTIME_DIR", SkiffPaths.RootlessUidVariable]);
        env.Add($"{SkiffPaths.RootlessUidVariable}={uid}");
        // Resolve the run directory before entering the namespace, where $XDG_RUNTIME_DIR may be unusable.
        string runtimeDir = SkiffPaths.RuntimeDir(uid);
        env.Add($"XDG_RUNTIME_DIR={runtimeDir}");

        int pause;
        try { pause = PauseProcess.Ensure(Path.Combine(runtimeDir, "skiff"), pid => WriteMaps(pid, uid, gid, uidRanges, gidRanges)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"the rootless pause process: {ErrorText.Of(e)}");
        }
        using var userNs = Libc.OpenFd($"/proc/{pause}/ns/user", Libc.O_RDONLY | Libc.O_CLOEXEC);
        using var mountNs = Libc.OpenFd($"/proc/{pause}/ns/mnt", Libc.O_RDONLY | Libc.O_CLOEXEC);
        var argv = new List<string>(args.Length + 1) { self };
        argv.AddRange(args);
        using var child = CloneChild.Start(new CloneStartInfo
        {
            Path = self,
            Args = argv,
            Env = env,
            Setup = p =>
            {
                p.Setns(userNs.Fd, CloneFlags.NewUser, "join the rootless user namespace (of the pause process)");
                p.Setns(mountNs.Fd, CloneFlags.NewNs, "join the rootless mount namespace (of the pause process)");
                p.SetResGid(0);
                p.SetResUid(0);
            },
        });
        using var forward = SignalForwarder.To(child.Pid);
        child.Release();
        if (child.LaunchError is { } launch) throw new EngineException($"entering the rootless namespaces: {launch.Message}");
        return child.WaitForExit();
    }

    private static void WriteMaps(int pid, uint uid, uint gid, IReadOnlyList<IdRange> uidRanges, IReadOnlyList<IdRange> gidRanges)
    {
        string pidText = pid.ToString(CultureInfo.InvariantCulture);
        if (uidRanges.Count > 0)
            RunIdMapTool("newuidmap", pidText, SubordinateIds.MapArguments(uid, uidRanges));
        else
            File.WriteAllText($"/proc/{pid}/uid_map", $"0 {uid} 1\n");
        if (gidRanges.Count > 0)
            RunIdMapTool("newgidmap", pidText, SubordinateIds.MapArguments(gid, gidRanges));
        else
        {
            File.WriteAllText($"/proc/{pid}/setgroups", "deny\n");
            File.WriteAllText($"/proc/{pid}/gid_map", $"0 {gid} 1\n");
        }
    }

    private static void RunIdMapTool(string tool, string pid, IReadOnlyList<string> mapArgs)
    {
        string path = HelperPrograms.Find(tool)
            ?? throw new EngineException($"{tool} not found: install the uidmap package (apt-get install uidmap) to use the /etc/subuid ranges");
        var argv = new List<string> { path, pid };
        argv.AddRange(mapArgs);
        using var p = CloneChild.Run(new CloneStartInfo { Path = path, Args = argv, Env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] });
        int code = p.WaitForExit();
        if (code != 0)
            throw new EngineException($"{tool} {string.Join(' ', argv.Skip(1))} failed with exit code {code}: check /etc/sub{(tool == "newuidmap" ? "uid" : "gid")}");
    }
}
