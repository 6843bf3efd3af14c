using Skiff.Interop;
using static Skiff.Interop.Libc;

namespace Skiff.Runtime.Rootfs;

/// <summary>mount(2) with errors that name the mount, and the bind-remount that keeps locked flags.</summary>
internal static class MountCalls
{
    public static void Mount(string? source, string target, string? type, ulong flags, string? data)
    {
        if (Libc.Mount(source, target, type, flags, string.IsNullOrEmpty(data) ? null : data) != 0)
            ThrowErrno($"mount {source ?? type ?? "none"} on {target}" + (type is null ? "" : $" (type {type})"));
    }

    public static int TryMount(string? source, string target, string? type, ulong flags, string? data) =>
        Libc.Mount(source, target, type, flags, string.IsNullOrEmpty(data) ? null : data) == 0 ? 0 : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();

    /// <summary>
    /// Remounts a bind mount with <paramref name="flags"/> added. Inside a user namespace the
    /// flags the kernel locked (nosuid, nodev, noexec, atime) must be repeated or the call fails.
    /// </summary>
    public static void BindRemount(string target, ulong flags)
    {
        ulong current = MountFlagsOf(target);
        ulong keep = 0;
        if ((current & ST_NOSUID) != 0) keep |= MS_NOSUID;
        if ((current & ST_NODEV) != 0) keep |= MS_NODEV;
        if ((current & ST_NOEXEC) != 0) keep |= MS_NOEXEC;
        if ((current & ST_NOATIME) != 0) keep |= MS_NOATIME;
        if ((current & ST_NODIRATIME) != 0) keep |= MS_NODIRATIME;
        if ((current & ST_RELATIME) != 0) keep |= MS_RELATIME;
        Mount(null, target, null, MS_BIND | MS_REMOUNT | keep | flags, null);
    }

    /// <summary>Creates the mount point: a directory, or an empty file when the source is a file.</summary>
    public static void CreateMountPoint(string target, bool file)
    {
        if (file)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (!File.Exists(target) && !Directory.Exists(target)) File.WriteAllBytes(target, []);
        }
        else
        {
            Directory.CreateDirectory(target);
        }
    }
}
