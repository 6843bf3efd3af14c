using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff attach [--no-stdin] [--sig-proxy] CONTAINER`: the container's stdio joined to ours; ctrl-p ctrl-q detaches.</summary>
public static class AttachCommand
{
    public static Command Create(GlobalOptions global)
    {
        var noStdin = new Option<bool>("--no-stdin") { Description = "Do not attach STDIN" };
        var sigProxy = new Option<bool>("--sig-proxy") { Description = "Proxy received signals to the container (non-TTY mode only)", DefaultValueFactory = _ => true };
        var detachKeys = new Option<string?>("--detach-keys") { Description = "Key sequence for detaching (default ctrl-p,ctrl-q; \"\" disables)" };
        var container = new Argument<string>("CONTAINER");
        var cmd = new Command("attach", "Attach to a running container") { noStdin, sigProxy, detachKeys, container };
        cmd.SetAction(p =>
        {
            return global.Engine(p).Attach(p.GetRequiredValue(container), p.GetValue(noStdin), p.GetValue(sigProxy), p.GetValue(detachKeys)).ExitCode;
        });
        return cmd;
    }
}
