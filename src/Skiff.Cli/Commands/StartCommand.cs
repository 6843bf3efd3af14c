using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff start [-a] CONTAINER...`: prints each name given (podman's output); with -a, attaches to the one container and exits with its code.</summary>
public static class StartCommand
{
    public static Command Create(GlobalOptions global)
    {
        var attach = new Option<bool>("--attach", "-a") { Description = "Attach to the container's output and wait for it" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Keep STDIN open (with --attach)" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("start", "Start one or more containers") { attach, interactive, names };
        cmd.SetAction(p =>
        {
            var paths = global.Paths(p);
            var lifecycle = new ContainerLifecycle(paths, new ImageService(paths));
            var targets = p.GetValue(names) ?? [];
            if (p.GetValue(attach))
            {
                if (targets.Length != 1) throw new EngineException("you cannot start and attach multiple containers at once");
                AttachSession? session = null;
                var record = lifecycle.Start(targets[0], files => session = AttachSession.Connect(files.AttachSocket));
                using (session)
                {
                    if (session is null) throw new EngineException($"container {record.Name} is already running: use `skiff attach`");
                    int? code = session.Pump(1, 2);
                    code ??= lifecycle.Wait(record.Id, TimeSpan.FromMilliseconds(50))?.ExitCode;
                    lifecycle.Cleanup(record.Id);
                    return code ?? -1;
                }
            }
            int exit = 0;
            foreach (string t in targets)
            {
                try
                {
                    lifecycle.Start(t);
                    Console.WriteLine(t);
                }
                catch (EngineException e) { exit = SkiffCli.Fail(e.Message, e.ExitCode); }
            }
            return exit;
        });
        return cmd;
    }
}
