using System.CommandLine;

namespace Skiff.Cli.Commands;

/// <summary>`skiff image VERB`: podman's image management group.</summary>
public static class ImageCommand
{
    public static Command Create(GlobalOptions global)
    {
        var cmd = new Command("image", "Manage images");
        cmd.Subcommands.Add(InspectCommand.ForImages(global));
        return cmd;
    }
}
