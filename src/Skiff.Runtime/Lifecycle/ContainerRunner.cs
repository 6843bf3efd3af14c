using System.Runtime.InteropServices;
using Skiff.Interop;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Lifecycle;

/// <summary>`run`: create, start, wait for the container (forwarding signals), delete it; the exit code is the container's.</summary>
public static class ContainerRunner
{
    public static int Run(StateStore store, string id, CreateOptions options, bool detach, Action<string>? warn = null)
    {
        using var child = ContainerCreator.Create(store, id, options, warn);
        try
        {
            ContainerOps.Start(store, id);
        }
        catch
        {
            Libc.Kill(child.Pid, Libc.SIGKILL);
            child.WaitForExit();
            store.Remove(id);
            throw;
        }
        if (detach) return 0;
        try
        {
            using var forward = SignalForwarding.To(child.Pid);
            return child.WaitForExit();
        }
        finally
        {
            store.Remove(id);
        }
    }
}
