using System.Runtime.InteropServices;
using Skiff.Interop;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Lifecycle;

/// <summary>`run`: create, start, wait for the container (forwarding signals), delete it; the exit code is the container's.</summary>
public static class ContainerRunner
{
    public static int Run(StateStore store, string id, string bundle, string? pidFile, bool detach, bool systemdCgroup = false)
    {
        using var child = ContainerCreator.Create(store, id, bundle, pidFile, systemdCgroup);
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
        var registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, ctx =>
            {
                ctx.Cancel = true;
                Libc.Kill(child.Pid, SignalNumber(ctx.Signal));
            })).ToList();
        try
        {
            return child.WaitForExit();
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
            store.Remove(id);
        }
    }

    private static int SignalNumber(PosixSignal s) => s switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };
}
