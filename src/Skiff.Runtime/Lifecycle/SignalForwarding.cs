using System.Runtime.InteropServices;
using Skiff.Interop;

namespace Skiff.Runtime.Lifecycle;

/// <summary>While a foreground `run` or `exec` waits, the signals a terminal or a supervisor sends us go to the process instead.</summary>
public sealed class SignalForwarding : IDisposable
{
    private static readonly (PosixSignal Signal, int Number)[] Forwarded =
        [(PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3)];

    private readonly List<PosixSignalRegistration> _registrations;

    private SignalForwarding(int pid) =>
        _registrations = [.. Forwarded.Select(f => PosixSignalRegistration.Create(f.Signal, ctx =>
        {
            ctx.Cancel = true;
            Libc.Kill(pid, f.Number);
        }))];

    public static SignalForwarding To(int pid) => new(pid);

    public void Dispose() => _registrations.ForEach(r => r.Dispose());
}
