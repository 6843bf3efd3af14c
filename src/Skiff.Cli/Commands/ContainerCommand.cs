using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff container VERB`: podman's container management group (the verbs also exist at the top level).</summary>
public static class ContainerCommand
{
    public static Command Create(GlobalOptions global)
    {
        var cmd = new Command("container", "Manage containers");
        var id = new Argument<string>("CONTAINER");
        var cleanup = new Command("cleanup", "Clean up the network and mount points of exited containers (the monitor runs it)") { id };
        cleanup.SetAction(p =>
        {
            try { global.Engine(p).Cleanup(p.GetRequiredValue(id)); }
            catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject) { /* already removed (--rm) */ }
            return 0;
        });
        var existsName = new Argument<string>("CONTAINER");
        var exists = new Command("exists", "Check if a container exists in local storage (exit 0 if it does, 1 if not)") { existsName };
        exists.SetAction(p => global.Engine(p).Exists(p.GetRequiredValue(existsName)) ? 0 : 1);
        cmd.Subcommands.Add(cleanup);
        cmd.Subcommands.Add(exists);
        foreach (var verb in new[]
        {
            RunCommand.Create(global), RunCommand.CreateOnly(global), StartCommand.Create(global), StopCommand.Create(global),
            StopCommand.Restart(global), KillCommand.Create(global), WaitCommand.Create(global), LogsCommand.Create(global),
            RmCommand.Create(global), PsCommand.Create(global), ExecCommand.Create(global), AttachCommand.Create(global),
            InspectCommand.ForContainers(global), ContainerInitPruneCommands.Init(global), ContainerInitPruneCommands.Prune(global),
        })
            cmd.Subcommands.Add(verb);
        cmd.Subcommands.First(c => c.Name == "ps").Aliases.Add("list");
        cmd.Subcommands.First(c => c.Name == "ps").Aliases.Add("ls");
        return cmd;
    }
}
