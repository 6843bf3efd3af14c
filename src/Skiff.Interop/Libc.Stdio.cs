using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Standard streams and subreaping, for the engine's foreground run.
public static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2Raw(int oldFd, int newFd);

    /// <summary>Makes <paramref name="newFd"/> a copy of <paramref name="oldFd"/> (dup2).</summary>
    public static void DuplicateFd(int oldFd, int newFd) => Check(Dup2Raw(oldFd, newFd), $"dup2({oldFd}, {newFd})");

    /// <summary>Points this process's standard input at /dev/null (a container run without -i gets no stdin, as in podman).</summary>
    public static void DetachStdin()
    {
        using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        DuplicateFd((int)devNull.DangerousGetHandle(), 0);
    }

    /// <summary>Orphaned descendants (the container's init, once the runtime's create has exited) become our children.</summary>
    public static void BecomeSubreaper() => Check(Prctl(PR_SET_CHILD_SUBREAPER, 1), "prctl(PR_SET_CHILD_SUBREAPER)");

    /// <summary>The hard limit of an RLIMIT_* resource, or unlimited when it cannot be read.</summary>
    public static ulong HardLimit(int resource)
    {
        try { return GetRlimit(resource).Hard; }
        catch (ErrnoException) { return ulong.MaxValue; }
    }
}
