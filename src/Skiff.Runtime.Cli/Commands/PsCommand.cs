using Skiff.Runtime.Options;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>ps: parsed into PsOptions; carried out by the cgroup manager (helper "cgroups"), merged by the lead.</summary>
public static class PsCommand
{
    public static int Run(RuntimeOptions global, PsOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        // TODO(cgroups): replace this stub with the real ps.
        throw new RuntimeException("ps is not supported yet: skiff-runtime does not manage cgroups yet");
    }
}
