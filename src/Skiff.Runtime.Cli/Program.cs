using Skiff.Runtime;
using Skiff.Runtime.Cli;
using Skiff.Runtime.Init;

// skiff-runtime: the OCI runtime command line with runc's verbs and flags.
if (args is ["init", var channelFd]) return ContainerInit.Run(channelFd);

Profiling.Mark("runtime main");
using var log = new RuntimeLog();
try
{
    var line = new CommandLine();
    int verbAt = line.ParseGlobals(args);
    log.Configure(line.Options); // from here on, errors reach --log too (parse errors of the verb included)
    log.Debug($"skiff-runtime {Skiff.Runtime.Cli.Commands.VersionCommand.Version}: {string.Join(' ', args)}");
    line.ParseVerb(args, verbAt);
    int code = Dispatcher.Run(line, log);
    log.Debug($"{line.Verb} finished with exit code {code}");
    Profiling.Mark("runtime exit");
    return code;
}
catch (RuntimeException e)
{
    log.Error(e.Message);
    return e.ExitCode;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
    or System.Text.Json.JsonException or NotSupportedException or FormatException or OverflowException)
{
    // A failure the user can cause (a file, a permission, malformed input): one line, never a stack trace or a resource key.
    log.Error(ErrorText.Describe(e));
    return 1;
}
