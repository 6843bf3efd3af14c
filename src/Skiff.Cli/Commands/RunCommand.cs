using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>`skiff run [options] IMAGE [COMMAND [ARG...]]`</summary>
public static class RunCommand
{
    /// <summary>run's options that take a value, so that the image (the first other token) can be found.</summary>
    private static readonly HashSet<string> ValueOptions =
    [
        "-e", "--env", "--env-file", "-w", "--workdir", "-u", "--user", "--entrypoint", "--name", "-h", "--hostname",
        "--cap-add", "--cap-drop", "--security-opt", "-m", "--memory", "--memory-swap", "--memory-reservation", "--cpus",
        "-c", "--cpu-shares", "--cpuset-cpus", "--cpuset-mems", "--pids-limit",
    ];

    public static Command Create(GlobalOptions global)
    {
        var rm = new Option<bool>("--rm") { Description = "Remove the container when it exits" };
        var env = new Option<string[]>("--env", "-e") { Description = "Set environment variables (NAME=VALUE, or NAME to copy the host's)" };
        var envFile = new Option<string[]>("--env-file") { Description = "Read environment variables from a file" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the container" };
        var user = new Option<string?>("--user", "-u") { Description = "Username or UID, with an optional group (user[:group])" };
        var entrypoint = new Option<string?>("--entrypoint") { Description = "Override the image's ENTRYPOINT" };
        var name = new Option<string?>("--name") { Description = "Name the container" };
        var hostname = new Option<string?>("--hostname", "-h") { Description = "Hostname of the container" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Keep STDIN open" };
        var tlsVerify = new Option<bool?>("--tls-verify") { Description = "Require HTTPS and verify certificates when pulling" };
        var capAdd = new Option<string[]>("--cap-add") { Description = "Add capabilities to the container (or \"all\")" };
        var capDrop = new Option<string[]>("--cap-drop") { Description = "Drop capabilities from the container (or \"all\")" };
        var privileged = new Option<bool>("--privileged") { Description = "Give the container every capability and device, without seccomp or masked paths" };
        var securityOpt = new Option<string[]>("--security-opt") { Description = "Security options: seccomp=PATH|unconfined, no-new-privileges, mask=PATHS, unmask=PATHS|ALL" };
        var readOnly = new Option<bool>("--read-only") { Description = "Mount the container's root read-only (with writable tmpfs on /run, /tmp, /var/tmp)" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory limit (format: <number>[<unit>], where unit = b, k, m or g)" };
        var memorySwap = new Option<string?>("--memory-swap") { Description = "Memory plus swap limit (-1: unlimited swap)" };
        var memoryReservation = new Option<string?>("--memory-reservation") { Description = "Memory soft limit" };
        var cpus = new Option<string?>("--cpus") { Description = "Number of CPUs" };
        var cpuShares = new Option<string?>("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };
        var cpusetCpus = new Option<string?>("--cpuset-cpus") { Description = "CPUs in which to allow execution (0-3, 0,1)" };
        var cpusetMems = new Option<string?>("--cpuset-mems") { Description = "Memory nodes in which to allow execution (0-3, 0,1)" };
        var pidsLimit = new Option<string?>("--pids-limit") { Description = "Tune the container's pids limit (-1 for unlimited)" };
        var image = new Argument<string>("IMAGE") { Description = "The image to run" };
        var command = new Argument<string[]>("COMMAND") { Description = "Command and arguments", Arity = ArgumentArity.ZeroOrMore };

        var cmd = new Command("run", "Run a command in a new container")
        {
            rm, env, envFile, workdir, user, entrypoint, name, hostname, interactive, tlsVerify, capAdd, capDrop, privileged, securityOpt,
            readOnly, memory, memorySwap, memoryReservation, cpus, cpuShares, cpusetCpus, cpusetMems, pidsLimit, image, command,
        };
        cmd.SetAction(async (p, ct) =>
        {
            var paths = global.Paths(p);
            var options = new RunOptions
            {
                Image = p.GetRequiredValue(image),
                Command = p.GetValue(command) ?? [],
                Entrypoint = p.GetValue(entrypoint),
                Env = p.GetValue(env) ?? [],
                EnvFiles = p.GetValue(envFile) ?? [],
                WorkingDir = p.GetValue(workdir),
                User = p.GetValue(user),
                Name = p.GetValue(name),
                Hostname = p.GetValue(hostname),
                Remove = p.GetValue(rm),
                Interactive = p.GetValue(interactive),
                TlsVerify = p.GetValue(tlsVerify),
                Runtime = p.GetValue(global.Runtime),
                CapAdd = p.GetValue(capAdd) ?? [],
                CapDrop = p.GetValue(capDrop) ?? [],
                Privileged = p.GetValue(privileged),
                SecurityOpt = p.GetValue(securityOpt) ?? [],
                ReadOnly = p.GetValue(readOnly),
                Resources = new ResourceFlags
                {
                    Memory = p.GetValue(memory), MemorySwap = p.GetValue(memorySwap), MemoryReservation = p.GetValue(memoryReservation),
                    Cpus = p.GetValue(cpus), CpuShares = p.GetValue(cpuShares), CpusetCpus = p.GetValue(cpusetCpus),
                    CpusetMems = p.GetValue(cpusetMems), PidsLimit = p.GetValue(pidsLimit),
                },
            };
            return await new ContainerRunner(paths, new ImageService(paths)).RunAsync(options, ct).ConfigureAwait(false);
        });
        return cmd;
    }

    /// <summary>
    /// Everything after run's IMAGE belongs to the container, even tokens that look like options
    /// (`run busybox sh -c 'exit 7'`): a "--" is put before them so the parser leaves them alone.
    /// </summary>
    public static string[] ProtectContainerCommand(string[] args)
    {
        int i = 0;
        for (; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "run") break;
            if (!a.StartsWith('-')) return args;
            if (SkiffCli.GlobalValueOptions.Contains(a)) i++;
        }
        for (i++; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--") return args;
            if (!a.StartsWith('-') || a == "-")
            {
                if (i + 1 >= args.Length) return args;
                return [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
            }
            if (ValueOptions.Contains(a) || SkiffCli.GlobalValueOptions.Contains(a)) i++;
        }
        return args;
    }
}
