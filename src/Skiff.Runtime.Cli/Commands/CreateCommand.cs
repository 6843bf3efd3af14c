using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>create --bundle DIR [--pid-file F] ID</summary>
public static class CreateCommand
{
    public static int Run(CommandLine line)
    {
        string id = line.Id("create");
        SealIfJoiningPidNamespace(line);
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

    /// <summary>
    /// Joining an existing pid namespace (a pod's) makes create's clone visible there for a moment before it
    /// executes the init: like exec, create then runs from a sealed copy of itself.
    /// </summary>
    public static void SealIfJoiningPidNamespace(CommandLine line)
    {
        var spec = Skiff.Runtime.Config.BundleConfig.Load(Path.GetFullPath(line.Flag("bundle", "b") ?? "."));
        if (Skiff.Runtime.Config.BundleConfig.JoinsNamespace(spec, "pid"))
            Skiff.Interop.Launch.SealedExecutable.ReexecSealed(["skiff-runtime", .. Environment.GetCommandLineArgs().Skip(1)]);
    }

    public static void Warn(string message) => Console.Error.WriteLine($"skiff-runtime: warning: {message}");
}
