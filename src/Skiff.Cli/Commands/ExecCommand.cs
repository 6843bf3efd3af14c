using System.CommandLine;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff exec [-i] [-t] [-d] [-e] [--env-file] [-u] [-w] [--preserve-fds N] [--privileged] CONTAINER COMMAND [ARG...]`: the process's exit code.</summary>
public static class ExecCommand
{
    public static Command Create(GlobalOptions global)
    {
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Keep STDIN open" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Run the exec session in detached mode (backgrounded)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Set environment variables" };
        var envFile = new Option<string[]>("--env-file") { Description = "Read in a file of environment variables" };
        var user = new Option<string?>("--user", "-u") { Description = "Sets the username or UID used and optionally the groupname or GID" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the container" };
        var preserveFds = new Option<int>("--preserve-fds") { Description = "Pass N additional file descriptors to the process" };
        var privileged = new Option<bool>("--privileged") { Description = "Give the process every capability" };
        var container = new Argument<string>("CONTAINER");
        var command = new Argument<string[]>("COMMAND") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("exec", "Run a process in a running container") { interactive, tty, detach, env, envFile, user, workdir, preserveFds, privileged, container, command };
        cmd.SetAction(p =>
        {
            return global.Engine(p).Exec(p.GetRequiredValue(container), new ExecOptions
            {
                Command = p.GetValue(command) ?? [],
                Interactive = p.GetValue(interactive),
                Tty = p.GetValue(tty),
                Detach = p.GetValue(detach),
                Env = p.GetValue(env) ?? [],
                EnvFiles = p.GetValue(envFile) ?? [],
                User = p.GetValue(user),
                WorkingDir = p.GetValue(workdir),
                PreserveFds = p.GetValue(preserveFds),
                Privileged = p.GetValue(privileged),
            });
        });
        return cmd;
    }
}
