using System.Text.Json;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>events [--interval D] [--stats] ID: runc's JSON lines, "stats" every interval and "oom" when the OOM killer strikes.</summary>
public static class EventsCommand
{
    public static int Run(RuntimeOptions global, EventsOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        if (o.Interval <= TimeSpan.Zero) throw new RuntimeException("duration interval must be greater than 0");
        using var stdout = Console.OpenStandardOutput();
        ContainerCgroups.Events(new StateStore(global.Root), o.Id, o.Interval, o.Stats, e =>
        {
            stdout.Write(JsonSerializer.SerializeToUtf8Bytes(e, CgroupJsonContext.Default.RuntimeEvent));
            stdout.Write("\n"u8);
            stdout.Flush();
        });
        return 0;
    }
}
