using System.CommandLine;

namespace Skiff.Cli.Commands;

/// <summary>`skiff system VERB`: podman's system group (events; the verbs also exist at the top level).</summary>
public static class SystemCommand
{
    public static Command Create(GlobalOptions global)
    {
        var cmd = new Command("system", "Manage skiff");
        cmd.Subcommands.Add(EventsCommand.Create(global));
        return cmd;
    }
}
