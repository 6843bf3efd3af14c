using System.Runtime.InteropServices;

namespace Skiff.Interop;

/// <summary>An owned file descriptor, closed on dispose.</summary>
public sealed class SafeFd : SafeHandle
{
    public SafeFd() : base(new IntPtr(-1), ownsHandle: true) { }

    public SafeFd(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle) => SetHandle(new IntPtr(fd));

    public int Fd => (int)handle;

    public override bool IsInvalid => (int)handle < 0;

    protected override bool ReleaseHandle() => Libc.CloseRaw((int)handle) == 0;
}

public static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int CloseRaw(int fd);
}
