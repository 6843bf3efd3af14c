namespace Skiff.Runtime.Cli.Commands;

public static class VersionCommand
{
    public const string Version = "0.1.0";

    public static int Run()
    {
        Console.Out.WriteLine($"skiff-runtime version {Version}\nspec: 1.2.0");
        return 0;
    }

    public static int Help()
    {
        Console.Out.WriteLine("usage: skiff-runtime [--root DIR] [--log FILE] [--log-format text|json] COMMAND\n" +
            "commands: create --bundle DIR [--pid-file F] ID | start ID | state ID | kill ID [SIGNAL] | delete [--force] ID |\n" +
            "          run --bundle DIR ID | features | --version");
        return 0;
    }
}
