using System.CommandLine;
using Skiff.Engine;

namespace Skiff.Cli.Commands;

/// <summary>`skiff image VERB`: podman's image management group (inspect, tag, untag, exists, history, prune, save, load, and list/ls, rm, pull as aliases of images, rmi, pull).</summary>
public static class ImageCommand
{
    public static Command Create(GlobalOptions global)
    {
        var cmd = new Command("image", "Manage images");
        cmd.Subcommands.Add(InspectCommand.ForImages(global));
        cmd.Subcommands.Add(TagCommand.Tag(global));
        cmd.Subcommands.Add(TagCommand.Untag(global));
        cmd.Subcommands.Add(TagCommand.Exists(global));
        cmd.Subcommands.Add(ImagesCommand.Create(global, "list", "ls"));
        cmd.Subcommands.Add(RmiCommand.Create(global, "rm"));
        cmd.Subcommands.Add(PullCommand.Create(global));
        cmd.Subcommands.Add(HistoryCommand.Create(global));
        cmd.Subcommands.Add(ImagePruneCommand.Create(global));
        cmd.Subcommands.Add(SaveLoadCommands.Save(global));
        cmd.Subcommands.Add(SaveLoadCommands.Load(global));
        cmd.SetAction(_ => SkiffCli.Fail("missing command 'skiff image COMMAND'", ExitCodes.EngineError));
        return cmd;
    }
}
