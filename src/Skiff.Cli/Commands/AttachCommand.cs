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
        var container = new Argument<string>("CONTAINER");
        var cmd = new Command("attach", "Attach to a running container") { noStdin, sigProxy, container };
        cmd.SetAction(p =>
        {
            var paths = global.Paths(p);
            var lifecycle = new ContainerLifecycle(paths, new ImageService(paths));
            return ContainerRunner.Attach(lifecycle, p.GetRequiredValue(container), p.GetValue(noStdin), p.GetValue(sigProxy)).ExitCode;
        });
        return cmd;
    }
}
