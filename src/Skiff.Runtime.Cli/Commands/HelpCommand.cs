namespace Skiff.Runtime.Cli.Commands;

/// <summary>help [COMMAND], --help, COMMAND --help.</summary>
public static class HelpCommand
{
    public static int Run(string? topic)
    {
        if (topic is null || topic is "help" or "h")
        {
            Console.Out.Write(Help.Overview());
            return 0;
        }
        var verb = VerbTable.Find(topic) ?? throw new RuntimeException($"no help topic for \"{topic}\": see 'skiff-runtime --help' for the commands");
        Console.Out.Write(Help.Verb(verb));
        return 0;
    }
}
