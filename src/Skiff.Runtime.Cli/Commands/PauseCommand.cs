using Skiff.Runtime.Options;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>pause: parsed into PauseOptions; carried out by the cgroup manager (helper "cgroups"), merged by the lead.</summary>
public static class PauseCommand
{
    public static int Run(RuntimeOptions global, PauseOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        // TODO(cgroups): replace this stub with the real pause.
        throw new RuntimeException("pause is not supported yet: skiff-runtime does not manage cgroups yet");
    }
}
