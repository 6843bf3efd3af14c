using Skiff.Interop;
namespace Skiff.Runtime.Config;

/// <summary>
/// Finds the program of process.args[0] inside the container's root, with the PATH of the
/// process environment (like runc at create, so that a missing command fails before start).
/// </summary>
public static class ExecutableLookup
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The path to execve (as seen in the container); throws a RuntimeException with exit code 127 or 126.</summary>
    public static string Resolve(string root, string command, IEnumerable<string>? env)
    {
        if (command.Length == 0) throw new RuntimeException("process.args[0] is empty", 127);
        if (command.Contains('/', StringComparison.Ordinal))
        {
            string inContainer = command.StartsWith('/') ? command : "/" + command;
            return Check(root, inContainer) switch
            {
                Verdict.Executable => command,
                Verdict.Missing => throw new RuntimeException($"exec: `{command}`: no such file or directory", 127),
                Verdict.Directory => throw new RuntimeException($"exec: `{command}`: is a directory", 126),
                _ => throw new RuntimeException($"exec: `{command}`: permission denied", 126),
            };
        }
        string path = PathOf(env);
        bool sawUnexecutable = false;
        foreach (string dir in path.Split(':'))
        {
            string d = dir.Length == 0 ? "." : dir;
            string candidate = d.TrimEnd('/') + "/" + command;
            if (!candidate.StartsWith('/')) continue; // relative PATH entries are not looked up (Go's LookPath refuses them too)
            switch (Check(root, candidate))
            {
                case Verdict.Executable: return candidate;
                case Verdict.NotExecutable: sawUnexecutable = true; break;
            }
        }
        if (sawUnexecutable) throw new RuntimeException($"exec: `{command}`: permission denied", 126);
        throw new RuntimeException($"executable file `{command}` not found in $PATH", 127);
    }

    private static string PathOf(IEnumerable<string>? env)
    {
        string? path = null;
        foreach (string e in env ?? [])
            if (e.StartsWith("PATH=", StringComparison.Ordinal)) path = e[5..];
        return path ?? DefaultPath;
    }

    /// <summary>
    /// The same lookup for a container seen from outside: <paramref name="rootFd"/> is its root (/proc/PID/root),
    /// and every candidate is resolved by the kernel inside it (openat2 RESOLVE_IN_ROOT), never through the host.
    /// </summary>
    public static string Resolve(int rootFd, string command, IEnumerable<string>? env)
    {
        if (command.Length == 0) throw new RuntimeException("process.args[0] is empty", 127);
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return CheckInRoot(rootFd, command.StartsWith('/') ? command : "/" + command) switch
            {
                Verdict.Executable => command,
                Verdict.Missing => throw new RuntimeException($"exec: `{command}`: no such file or directory", 127),
                Verdict.Directory => throw new RuntimeException($"exec: `{command}`: is a directory", 126),
                _ => throw new RuntimeException($"exec: `{command}`: permission denied", 126),
            };
        }
        bool sawUnexecutable = false;
        foreach (string dir in PathOf(env).Split(':'))
        {
            if (!dir.StartsWith('/')) continue;
            string candidate = dir.TrimEnd('/') + "/" + command;
            switch (CheckInRoot(rootFd, candidate))
            {
                case Verdict.Executable: return candidate;
                case Verdict.NotExecutable: sawUnexecutable = true; break;
            }
        }
        if (sawUnexecutable) throw new RuntimeException($"exec: `{command}`: permission denied", 126);
        throw new RuntimeException($"executable file `{command}` not found in $PATH", 127);
    }

    private static Verdict CheckInRoot(int rootFd, string path)
    {
        SafeFd? found;
        try { found = Rootfs.InRootResolver.Resolve(rootFd, path); }
        catch (Exception e) when (e is IOException or RuntimeException) { return Verdict.Missing; }
        if (found is null) return Verdict.Missing;
        using var handle = found;
        string self = $"/proc/self/fd/{handle.Fd}";
        if (Directory.Exists(self)) return Verdict.Directory;
        UnixFileMode mode = File.GetUnixFileMode(self);
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (mode & anyExecute) == 0 ? Verdict.NotExecutable : Verdict.Executable;
    }

    private enum Verdict { Executable, Missing, Directory, NotExecutable }

    private static Verdict Check(string root, string inContainer)
    {
        // Inside the container's root (the init, after pivot_root) the kernel resolves the path itself, magic links
        // such as /proc/self/exe included; from outside, symlinks are resolved within the root by hand.
        string host = root == "/" ? inContainer : RootedPath.Resolve(root, inContainer);
        if (Directory.Exists(host)) return Verdict.Directory;
        if (!File.Exists(host)) return Verdict.Missing;
        UnixFileMode mode = File.GetUnixFileMode(host);
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & anyExecute) == 0) return Verdict.NotExecutable;
        return Skiff.Interop.Libc.Access(host, Skiff.Interop.Libc.X_OK) == 0 ? Verdict.Executable : Verdict.NotExecutable;
    }
}
