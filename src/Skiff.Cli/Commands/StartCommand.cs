using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff start [-a [-i]] CONTAINER...`: prints each name given (podman's output); with -a, attaches to the one container and exits with its code.</summary>
public static class StartCommand
{
    public static Command Create(GlobalOptions global)
    {
        var attach = new Option<bool>("--attach", "-a") { Description = "Attach to the container's output and wait for it" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Keep STDIN open (with --attach)" };
        var detachKeys = new Option<string?>("--detach-keys") { Description = "Key sequence for detaching (default ctrl-p,ctrl-q; \"\" disables)" };
        var sigProxy = new Option<bool>("--sig-proxy") { Description = "Proxy received signals to the container (with --attach; default true)", DefaultValueFactory = _ => true };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("start", "Start one or more containers") { attach, interactive, detachKeys, sigProxy, names };
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p);
            var targets = p.GetValue(names) ?? [];
            if (p.GetValue(attach))
            {
                if (targets.Length != 1) throw new EngineException("you cannot start and attach multiple containers at once");
                return engine.StartAttached(targets[0], p.GetValue(interactive), p.GetValue(detachKeys), p.GetValue(sigProxy)).ExitCode;
            }
            int exit = 0;
            foreach (string t in targets)
            {
                try
                {
                    engine.Start(t);
                    Console.WriteLine(t);
                }
                catch (EngineException e) { exit = SkiffCli.Fail(e.Message, e.ExitCode); }
            }
            return exit;
        });
        return cmd;
    }
}
