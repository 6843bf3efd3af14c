using Skiff.Runtime.Options;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>events: parsed into EventsOptions; carried out by the cgroup manager (helper "cgroups"), merged by the lead.</summary>
public static class EventsCommand
{
    public static int Run(RuntimeOptions global, EventsOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        // TODO(cgroups): replace this stub with the real events.
        throw new RuntimeException("events is not supported yet: skiff-runtime does not manage cgroups yet");
    }
}
