using System.Globalization;
using System.Runtime.InteropServices;
using Skiff.Interop;

namespace Skiff.Init;

/// <summary>
/// `run --init`: the container's PID 1 (podman's catatonit), as `/run/skiff-init -- PROGRAM ARGS...`. It starts the
/// program, forwards the signals a container receives to it, reaps every orphan that the kernel re-parents to PID 1
/// (so no zombie piles up), and exits with the program's exit code (128+N when signal N killed it); the kernel then
/// kills whatever is left in the pid namespace. With a terminal, the program gets a process group of its own in the
/// foreground, so that a shell has job control and ctrl-c reaches the program once.
/// </summary>
internal static class ContainerInit
{
    /// <summary>What a container gets from outside (kill, stop, the terminal): passed on to the program.</summary>
    private static readonly int[] Forwarded = [1, 2, 3, 10, 12, 14, 15, 18, 20, 21, 22, 28]; // HUP INT QUIT USR1 USR2 ALRM TERM CONT TSTP TTIN TTOU WINCH

    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Libc.WriteErrorLine("skiff-init: usage: skiff-init -- PROGRAM [ARG...]");
            return 125;
        }
        // Descriptors passed to the container (--preserve-fds) go on to the program at the same numbers.
        var extra = new List<int>();
        for (int fd = 3; Libc.Fcntl(fd, Libc.F_GETFD, 0) >= 0; fd++) extra.Add(fd);
        string? path = Resolve(args[0]);
        if (path is null)
        {
            Libc.WriteErrorLine($"skiff-init: {args[0]}: executable file not found in $PATH");
            return 127;
        }
        var env = Libc.EnvironmentLines();
        int child;
        using (var program = CloneChild.Start(new CloneStartInfo { Path = path, Args = args, Env = env, ExtraFds = extra, ParentDeathSignal = 0 }))
        {
            child = program.Pid;
            if (Libc.IsATty(0) == 1)
            {
                Libc.SetPgid(child, child);
                Libc.TcSetPgrp(0, child);
            }
            var registrations = Forwarded.Select(signal => PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true;
                Libc.Kill(child, signal);
            })).ToList();
            GC.KeepAlive(registrations);
            program.Release();
            if (program.LaunchError is { } error)
            {
                Libc.WriteErrorLine($"skiff-init: cannot run {path}: {error.Message}");
                Libc.WaitPid(child, out _);
                return error.Errno is Errno.ENOENT ? 127 : 126;
            }
        }
        while (true)
        {
            int pid;
            int status;
            try { pid = Libc.WaitPid(-1, out status); }
            catch (ErrnoException e) when (e.Errno == Errno.ECHILD) { return 0; }
            if (pid != child) continue;
            int code = ProcessExit.Decode(status);
            while (true)
            {
                try { if (Libc.WaitPid(-1, out _, Libc.WNOHANG) <= 0) break; }
                catch (ErrnoException) { break; }
            }
            return code;
        }
    }

    /// <summary>The program as execvp would find it: a name with a slash as is, else the first executable on $PATH.</summary>
    private static string? Resolve(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal)) return Path.GetFullPath(name);
        string search = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } p ? p : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (string dir in search.Split(':'))
        {
            string candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            if (File.Exists(candidate) && Libc.Access(candidate, 1) == 0) return Path.GetFullPath(candidate);
        }
        return null;
    }
}
