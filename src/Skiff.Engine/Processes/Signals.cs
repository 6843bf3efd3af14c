using System.Runtime.InteropServices;
using Skiff.Interop;

namespace Skiff.Engine.Processes;

/// <summary>Forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to a process while in scope.</summary>
public sealed class SignalForwarder : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    private SignalForwarder() { }

    public static SignalForwarder To(int pid)
    {
        var f = new SignalForwarder();
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3), ((PosixSignal)10, 10), ((PosixSignal)12, 12) })
        {
            int n = number;
            f._registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                Libc.Kill(pid, n);
            }));
        }
        return f;
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}

/// <summary>
/// Catches SIGINT, SIGTERM and SIGHUP while a run is being prepared (pull, mount, create), before there is a
/// container to forward them to: the work is cancelled or the signal is handed to the container once it
/// exists, and the cleanup in finally blocks always runs (.NET's default would end the process at once).
/// </summary>
public sealed class EarlyInterrupt : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signal;

    public EarlyInterrupt(CancellationToken outer)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1) })
        {
            int n = number;
            _registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                Interlocked.CompareExchange(ref _signal, n, 0);
                _cts.Cancel();
            }));
        }
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>The first signal caught, or 0.</summary>
    public int Signal => Volatile.Read(ref _signal);

    public void ThrowIfInterrupted() => _cts.Token.ThrowIfCancellationRequested();

    /// <summary>Stops catching; a signal caught so far is kept in <see cref="Signal"/>.</summary>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _registrations.Clear();
    }
}
