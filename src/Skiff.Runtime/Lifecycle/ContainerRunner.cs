using System.Runtime.InteropServices;
using Skiff.Interop;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Lifecycle;

/// <summary>`run`: create, start, wait for the container (forwarding signals), delete it; the exit code is the container's.</summary>
public static class ContainerRunner
{
    public static int Run(StateStore store, RunOptions options, RuntimeLog? log = null, bool systemdCgroup = false, bool? rootlessCgroups = null)
    {
        string id = options.Create.Id;
        // In the foreground without --console-socket, a terminal container's pty is ours to join to our stdio.
        using var terminal = new ForegroundTerminal();
        var create = options.Detach || options.Create.ConsoleSocket is not null ? options.Create : options.Create with { ConsoleReceiver = terminal.Receive };
        using var child = ContainerCreator.Create(store, create, log, systemdCgroup, rootlessCgroups);
        try
        {
            ContainerOps.Start(store, id, log);
        }
        catch
        {
            Libc.Kill(child.Pid, Libc.SIGKILL);
            child.WaitForExit();
            store.Remove(id);
            throw;
        }
        if (options.Detach) return 0;
        int code;
        using (SignalForwarding.To(child.Pid)) code = terminal.Join(child.WaitForExit);
        Profiling.Mark("run: container exited");
        // --keep leaves the stopped container for `delete`; otherwise it is deleted here, poststop hooks included.
        if (!options.Keep) ContainerOps.Delete(store, id, force: true, log);
        Profiling.Mark("run: deleted");
        return code;
    }
}
