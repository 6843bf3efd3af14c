using Skiff.Runtime.Options;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>resume: parsed into ResumeOptions; carried out by the cgroup manager (helper "cgroups"), merged by the lead.</summary>
public static class ResumeCommand
{
    public static int Run(RuntimeOptions global, ResumeOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        // TODO(cgroups): replace this stub with the real resume.
        throw new RuntimeException("resume is not supported yet: skiff-runtime does not manage cgroups yet");
    }
}
