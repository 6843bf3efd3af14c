namespace Skiff.Runtime.Cli.Commands;

public static class VersionCommand
{
    public const string Version = "0.1.0";

    public static int Run()
    {
        Console.Out.WriteLine($"skiff-runtime version {Version}\nspec: 1.2.0");
        return 0;
    }
}
