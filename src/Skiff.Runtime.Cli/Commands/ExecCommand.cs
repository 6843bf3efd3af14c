using System.Globalization;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>exec [flags] ID COMMAND [ARG...] | exec --process FILE ID</summary>
public static class ExecCommand
{
    public static int Run(CommandLine line)
    {
        string id = line.Id("exec");
        // exec's clone is visible in the container's pid namespace before it execs: it must not be the host's binary.
        Skiff.Interop.Launch.SealedExecutable.ReexecSealed(["skiff-runtime", .. Environment.GetCommandLineArgs().Skip(1)]);
        var options = new ExecOptions
        {
            ProcessFile = line.Flag("process", "p"),
            Args = [.. line.Operands.Skip(1)],
            ConsoleSocket = line.Flag("console-socket"),
            Tty = line.Switch("tty", "t"),
            Cwd = line.Flag("cwd"),
            Env = line.Flags.TryGetValue("env", out var e) && e is not null ? [e] : line.Flags.TryGetValue("e", out var e2) && e2 is not null ? [e2] : [],
            User = line.Flag("user", "u"),
            Detach = line.Switch("detach", "d"),
            PidFile = line.Flag("pid-file"),
            NoNewPrivs = line.Switch("no-new-privs"),
            PreserveFds = line.Flag("preserve-fds") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 0,
            IgnorePaused = line.Switch("ignore-paused"),
        };
        return ContainerExec.Exec(new StateStore(line.Options.Root), id, options);
    }
}
