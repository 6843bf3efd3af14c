using Skiff.Runtime.Options;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>update: parsed into UpdateOptions; carried out by the cgroup manager (helper "cgroups"), merged by the lead.</summary>
public static class UpdateCommand
{
    public static int Run(RuntimeOptions global, UpdateOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        // TODO(cgroups): replace this stub with the real update.
        throw new RuntimeException("update is not supported yet: skiff-runtime does not manage cgroups yet");
    }
}
