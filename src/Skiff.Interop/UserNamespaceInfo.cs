namespace Skiff.Interop;

/// <summary>Where this process stands among user namespaces.</summary>
public static class UserNamespaceInfo
{
    private static readonly Lazy<bool> s_initial = new(ReadIsInitial);

    /// <summary>
    /// True in the initial user namespace (uid_map "0 0 4294967295"). Elsewhere (rootless Skiff, a
    /// container) mknod of devices is refused and overlayfs wants user.* xattrs and "userxattr".
    /// </summary>
    public static bool IsInitial => s_initial.Value;

    /// <summary>Real root: uid 0 in the initial user namespace.</summary>
    public static bool IsRealRoot => Libc.GetEUid() == 0 && IsInitial;

    private static bool ReadIsInitial()
    {
        try
        {
            string[] map = File.ReadAllText("/proc/self/uid_map").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return map is ["0", "0", "4294967295"];
        }
        catch (IOException)
        {
            return false;
        }
    }
}
