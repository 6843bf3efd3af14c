using System.Globalization;
using System.Text.Json;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Config;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>
/// events [--stats] [--interval DURATION] ID: runc's events. --stats prints one {"type":"stats",...} line;
/// otherwise a stats line every interval (5s by default) and an {"type":"oom"} line whenever the OOM killer
/// kills in the container, until it stops.
/// </summary>
public static class EventsCommand
{
    public static int Run(CommandLine line)
    {
        string id = line.Id("events");
        var interval = ParseDuration(line.Flag("interval") ?? "5s");
        if (interval <= TimeSpan.Zero) throw new RuntimeException("duration interval must be greater than 0");
        using var stdout = Console.OpenStandardOutput();
        ContainerCgroups.Events(new StateStore(line.Options.Root), id, interval, line.Switch("stats"), e =>
        {
            stdout.Write(JsonSerializer.SerializeToUtf8Bytes(e, CgroupJsonContext.Default.RuntimeEvent));
            stdout.Write("\n"u8);
            stdout.Flush();
        });
        return 0;
    }

    private static TimeSpan ParseDuration(string text) => Units.Duration(text);
}
