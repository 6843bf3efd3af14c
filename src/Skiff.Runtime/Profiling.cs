using System.Diagnostics;
using System.Globalization;

namespace Skiff.Runtime;

/// <summary>
/// SKIFF_RUNTIME_PROFILE=1: each phase of create and of the init is written to stderr with the monotonic
/// clock in milliseconds (the same clock in every process, so their lines sort into time order). A debugging
/// aid for `make bench` work; off, it costs one environment lookup.
/// </summary>
public static class Profiling
{
    private static readonly bool s_on = Environment.GetEnvironmentVariable("SKIFF_RUNTIME_PROFILE") == "1";

    public static bool On => s_on;

    public static void Mark(string phase)
    {
        if (!s_on) return;
        double ms = Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
        // write(2) on fd 2 directly: Console's first use costs more than most phases.
        try { Skiff.Interop.Libc.WriteAll(2, System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"profile {Environment.ProcessId} {ms:F2} {phase} ({GC.GetTotalAllocatedBytes() / 1024} KiB allocated)\n"))); }
        catch (Skiff.Interop.ErrnoException) { /* no stderr: no profile */ }
    }
}
