using System.Globalization;
using System.Text;
using Skiff.Interop;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Init;

/// <summary>
/// A new time namespace with linux.timeOffsets. unshare(CLONE_NEWTIME) makes it the namespace of our future
/// children and of our next execve (the kernel moves the process into it at exec), and its offsets can be
/// written only until a process runs in it: the init does both before it executes the container's program.
/// </summary>
internal static class TimeNamespace
{
    public static void Create(Dictionary<string, TimeOffset>? offsets)
    {
        Libc.Check(Libc.Unshare((int)CloneFlags.NewTime), "unshare(CLONE_NEWTIME) (a time namespace needs Linux 5.6)");
        if (offsets is not { Count: > 0 }) return;
        var text = new StringBuilder();
        foreach (var (clock, offset) in offsets)
        {
            if (clock is not ("monotonic" or "boottime")) throw new RuntimeException($"linux.timeOffsets: {clock} is not a clock of a time namespace (monotonic, boottime)");
            if (offset.Nanosecs >= 1_000_000_000) throw new RuntimeException($"linux.timeOffsets.{clock}.nanosecs {offset.Nanosecs} is not below one second");
            text.Append(CultureInfo.InvariantCulture, $"{clock} {offset.Secs} {offset.Nanosecs}\n");
        }
        using var fd = Libc.OpenFd("/proc/self/timens_offsets", Libc.O_WRONLY);
        try { Libc.WriteAll(fd.Fd, Encoding.ASCII.GetBytes(text.ToString())); }
        catch (ErrnoException e) { throw new RuntimeException($"linux.timeOffsets: {e.Message}"); }
    }
}
