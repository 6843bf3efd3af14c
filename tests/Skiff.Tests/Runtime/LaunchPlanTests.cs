using Skiff.Interop.Launch;
using Skiff.Runtime.Processes;
using OciProcess = Skiff.Oci.Runtime.Process;

namespace Skiff.Tests.Runtime;

/// <summary>
/// What a config.json's process turns into: the system calls the init makes before execve, recorded without running
/// them (no root, no clone). The order is runc's; each step's arguments are the config's values.
/// </summary>
public sealed class LaunchPlanTests
{
    // Two BPF instructions (return ALLOW): the plan does not look inside the filter.
    private static readonly byte[] Filter = [0x06, 0, 0, 0, 0, 0, 0xff, 0x7f, 0x06, 0, 0, 0, 0, 0, 0xff, 0x7f];

    private static OciProcess Process(bool noNewPrivileges) => new()
    {
        Args = ["/bin/app", "arg"],
        Env = ["PATH=/bin"],
        Cwd = "/work",
        User = new Skiff.Oci.Runtime.User { Uid = 1000, Gid = 100, AdditionalGids = [10, 20] },
        Capabilities = new Skiff.Oci.Runtime.Capabilities
        {
            Bounding = ["CAP_CHOWN", "CAP_KILL"],
            Effective = ["CAP_KILL"],
            Permitted = ["CAP_KILL"],
            Inheritable = [],
            Ambient = ["CAP_KILL"],
        },
        NoNewPrivileges = noNewPrivileges,
    };

    private static List<SyscallProgram.Step> Plan(OciProcess process)
    {
        using var p = LaunchPlan.ForInit(process, "/bin/app", new LaunchContext { LastCapability = 40, Seccomp = new SeccompInstall { Program = Filter } }, 3);
        return [.. p.Steps];
    }

    private static int Index(List<SyscallProgram.Step> steps, string what)
    {
        int i = steps.FindIndex(s => s.What.StartsWith(what, StringComparison.Ordinal));
        Assert.True(i >= 0, $"no step \"{what}\" in:\n{string.Join('\n', steps.Select(s => s.What))}");
        return i;
    }

    [Fact]
    public void With_no_new_privs_the_steps_come_in_runcs_order_and_seccomp_is_last_before_exec()
    {
        var steps = Plan(Process(noNewPrivileges: true));
        string[] order =
        [
            "block every signal", "mark fds 3 and up close-on-exec", "reset signal 1 ", "drop CAP_DAC_OVERRIDE from the bounding set",
            "keep capabilities across the change of user", "set the supplementary groups to 10,20", "set the group id to 100",
            "set the user id to 1000", "stop keeping capabilities", "set the capabilities (effective 20, permitted 20, inheritable 0)",
            "clear the ambient capabilities", "raise the ambient capability CAP_KILL", "set the umask to 0022", "change directory to /work",
            "set no_new_privs", "install the seccomp filter (2 instructions)", "unblock every signal", "execute /bin/app",
        ];
        var at = order.Select(w => Index(steps, w)).ToList();
        Assert.Equal(at.Order(), at);
        Assert.Equal(steps.Count - 1, at[^1]);
    }

    [Fact]
    public void Without_no_new_privs_seccomp_goes_in_while_the_capabilities_still_allow_it()
    {
        var steps = Plan(Process(noNewPrivileges: false));
        Assert.DoesNotContain(steps, s => s.What == "set no_new_privs");
        Assert.True(Index(steps, "install the seccomp filter") < Index(steps, "drop CAP_DAC_OVERRIDE from the bounding set"));
        Assert.True(Index(steps, "reset signal 64 ") < Index(steps, "install the seccomp filter"));
    }

    [Fact]
    public void The_bounding_set_keeps_what_the_config_names_and_drops_every_other_capability_the_kernel_knows()
    {
        var steps = Plan(Process(noNewPrivileges: true));
        var dropped = steps.Where(s => s.What.EndsWith(" from the bounding set", StringComparison.Ordinal)).Select(s => s.A2).ToList();
        Assert.Equal(Enumerable.Range(0, 41).Select(c => (long)c).Where(c => c is not (0 or 5)), dropped); // CAP_CHOWN 0, CAP_KILL 5
    }

    [Fact]
    public void Ids_umask_and_the_working_directory_are_the_configs()
    {
        var process = Process(noNewPrivileges: true);
        process.User.Umask = 0x3f; // 077
        var steps = Plan(process);
        var uid = steps[Index(steps, "set the user id")];
        Assert.Equal((Sys.Setresuid, 1000L, 1000L, 1000L), (uid.Call, uid.A1, uid.A2, uid.A3));
        var gid = steps[Index(steps, "set the group id")];
        Assert.Equal((Sys.Setresgid, 100L, 100L, 100L), (gid.Call, gid.A1, gid.A2, gid.A3));
        Assert.Equal(2L, steps[Index(steps, "set the supplementary groups")].A1);
        var umask = steps[Index(steps, "set the umask to 0077")];
        Assert.Equal((Sys.Umask, 0x3fL), (umask.Call, umask.A1));
        Assert.Equal(Sys.Chdir, steps[Index(steps, "change directory to /work")].Call);
    }

    [Fact]
    public void Without_capabilities_in_the_config_the_sets_are_left_as_they_are()
    {
        var process = Process(noNewPrivileges: true);
        process.Capabilities = null;
        var steps = Plan(process);
        Assert.DoesNotContain(steps, s => s.Call == Sys.Capset || s.What.EndsWith(" from the bounding set", StringComparison.Ordinal));
        Index(steps, "set the user id to 1000");
    }
}
