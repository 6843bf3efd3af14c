using System.CommandLine;

namespace Skiff.Cli.Commands;

/// <summary>`skiff image VERB`: podman's image management group (inspect, tag, untag).</summary>
public static class ImageCommand
{
    public static Command Create(GlobalOptions global)
    {
        var cmd = new Command("image", "Manage images");
        cmd.Subcommands.Add(InspectCommand.ForImages(global));
        cmd.Subcommands.Add(TagCommand.Tag(global));
        cmd.Subcommands.Add(TagCommand.Untag(global));
        return cmd;
    }
}
