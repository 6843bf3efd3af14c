using Skiff.Runtime.Cli.Commands;

namespace Skiff.Runtime.Cli;

/// <summary>Maps the verb to its command (one short file each in Commands/).</summary>
public static class Dispatcher
{
    public static int Run(CommandLine line) => line.Verb switch
    {
        "create" => CreateCommand.Run(line),
        "start" => StartCommand.Run(line),
        "state" => StateCommand.Run(line),
        "kill" => KillCommand.Run(line),
        "delete" => DeleteCommand.Run(line),
        "run" => RunCommand.Run(line),
        "features" => FeaturesCommand.Run(),
        // [cgroups] begin
        "pause" => PauseCommand.Run(line),
        "resume" => ResumeCommand.Run(line),
        "update" => UpdateCommand.Run(line),
        "ps" => PsCommand.Run(line),
        "events" => EventsCommand.Run(line),
        // [cgroups] end
        "version" => VersionCommand.Run(),
        "help" => VersionCommand.Help(),
        _ => throw new RuntimeException($"unknown command: {line.Verb}"),
    };
}
