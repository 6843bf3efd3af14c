using Skiff.Runtime;
using Skiff.Runtime.Cli;
using Skiff.Runtime.Init;

// skiff-runtime: the OCI runtime command line with runc's verbs and flags.
if (args is ["init", var channelFd]) return ContainerInit.Run(channelFd);

var log = new RuntimeLog();
try
{
    var line = CommandLine.Parse(args);
    log.Configure(line.Options);
    return Dispatcher.Run(line);
}
catch (RuntimeException e)
{
    log.Error(e.Message);
    return e.ExitCode;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
{
    log.Error(e.Message);
    return 1;
}
