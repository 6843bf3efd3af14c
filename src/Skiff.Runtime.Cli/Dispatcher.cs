using Skiff.Runtime.Cli.Commands;
using B = Skiff.Runtime.Cli.OptionBinding;

namespace Skiff.Runtime.Cli;

/// <summary>Maps the verb to its command (one short file each in Commands/), with its typed options.</summary>
public static class Dispatcher
{
    public static int Run(CommandLine line, RuntimeLog log)
    {
        ArgumentNullException.ThrowIfNull(line);
        var p = line.Parsed!;
        if (p.Help) return HelpCommand.Run(p.Spec.Name);
        var g = line.Options;
        return line.Verb switch
        {
            "create" => CreateCommand.Run(g, B.Create(p), log),
            "start" => StartCommand.Run(g, B.Start(p), log),
            "state" => StateCommand.Run(g, B.State(p)),
            "kill" => KillCommand.Run(g, B.Kill(p)),
            "delete" => DeleteCommand.Run(g, B.Delete(p), log),
            "run" => RunCommand.Run(g, B.Run(p), log),
            "exec" => ExecCommand.Run(g, B.Exec(p)),
            "pause" => PauseCommand.Run(g, B.Pause(p)),
            "resume" => ResumeCommand.Run(g, B.Resume(p)),
            "ps" => PsCommand.Run(g, B.Ps(p)),
            "events" => EventsCommand.Run(g, B.Events(p)),
            "update" => UpdateCommand.Run(g, B.Update(p)),
            "list" => ListCommand.Run(g, B.List(p)),
            "spec" => SpecCommand.Run(B.Spec(p)),
            "features" => FeaturesCommand.Run(),
            "version" => VersionCommand.Run(),
            "help" => HelpCommand.Run(p.Operands.Count > 0 ? p.Operands[0] : null),
            _ => throw new RuntimeException($"unknown command \"{line.Verb}\"; see 'skiff-runtime --help' for the commands"),
        };
    }
}
