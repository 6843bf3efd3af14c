using System.Runtime.InteropServices;

namespace Skiff.Interop;

// Joining namespaces.
public static partial class Libc
{
    /// <summary>setns(2): joins the namespace of <paramref name="fd"/>. Network, UTS, IPC and cgroup
    /// namespaces are per thread and may be joined by a multi-threaded process; mount and user may not.</summary>
    [LibraryImport(Name, EntryPoint = "setns", SetLastError = true)]
    public static partial int Setns(int fd, int nsType);
}
