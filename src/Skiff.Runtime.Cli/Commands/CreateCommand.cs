using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>create --bundle DIR [--pid-file F] ID</summary>
public static class CreateCommand
{
    public static int Run(CommandLine line)
    {
        string id = line.Id("create");
        using var init = ContainerCreator.Create(new StateStore(line.Options.Root), id, Options(line), Warn);
        return 0;
    }

    public static CreateOptions Options(CommandLine line) => new()
    {
        Bundle = line.Flag("bundle", "b") ?? ".",
        PidFile = line.Flag("pid-file"),
        ConsoleSocket = line.Flag("console-socket"),
        NoPivot = line.Switch("no-pivot"),
        NoNewKeyring = line.Switch("no-new-keyring"),
        PreserveFds = line.Flag("preserve-fds") is { } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 0,
    };

    public static void Warn(string message) => Console.Error.WriteLine($"skiff-runtime: warning: {message}");
}
