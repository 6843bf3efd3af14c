using Skiff.Interop;
using Skiff.Runtime.Config;
using static Skiff.Interop.Libc;
using OciProcess = Skiff.Oci.Runtime.Process;

namespace Skiff.Runtime.Init;

/// <summary>
/// The last steps of the init, on the thread that then calls execve (capabilities are per
/// thread): rlimits, user and groups, capabilities, no_new_privs, umask, cwd.
/// </summary>
internal static class ProcessSetup
{
    public static void ApplyRlimits(OciProcess process)
    {
        foreach (var r in process.Rlimits ?? [])
        {
            int resource = Rlimits.Resource(r.Type);
            if (SetRlimit(resource, r.Soft, r.Hard) == 0) continue;
            var (_, currentHard) = GetRlimit(resource);
            var (soft, hard) = Rlimits.Clamp(r.Soft, r.Hard, currentHard);
            Check(SetRlimit(resource, soft, hard), $"setrlimit {r.Type} {soft}/{hard}");
        }
    }

    public static void ApplyIdentity(OciProcess process)
    {
        var caps = process.Capabilities;
        if (caps is not null) DropBounding(CapabilityNames.Mask(caps.Bounding));
        var user = process.User;
        Check(Prctl(PR_SET_KEEPCAPS, 1), "prctl PR_SET_KEEPCAPS");
        uint[] groups = [.. user.AdditionalGids ?? []];
        if (SetGroups(groups) != 0 && !(groups.Length == 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EPERM))
            ThrowErrno("setgroups");
        Check(SetResGid(user.Gid, user.Gid, user.Gid), $"setresgid {user.Gid}");
        Check(SetResUid(user.Uid, user.Uid, user.Uid), $"setresuid {user.Uid}");
        Check(Prctl(PR_SET_KEEPCAPS, 0), "prctl PR_SET_KEEPCAPS");
        if (caps is not null)
        {
            Check(CapSet(CapabilityNames.Mask(caps.Effective), CapabilityNames.Mask(caps.Permitted), CapabilityNames.Mask(caps.Inheritable)), "capset");
            Prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
            foreach (string name in caps.Ambient ?? [])
            {
                int n = CapabilityNames.Number(name);
                // Like runc: a capability missing from the inheritable or permitted set cannot be raised; that is not fatal.
                if (n >= 0) Prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (ulong)n);
            }
        }
        if (process.NoNewPrivileges == true) Check(Prctl(PR_SET_NO_NEW_PRIVS, 1), "prctl PR_SET_NO_NEW_PRIVS");
        Umask(user.Umask ?? 0x12); // 022
        Check(Chdir(process.Cwd), $"chdir {process.Cwd}");
    }

    private static void DropBounding(ulong keep)
    {
        int last = 40;
        try { last = int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture); }
        catch (IOException) { }
        for (int cap = 0; cap <= last && cap < 64; cap++)
        {
            if ((keep & (1UL << cap)) != 0) continue;
            if (Prctl(PR_CAPBSET_DROP, (ulong)cap) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.EINVAL)
                ThrowErrno($"dropping capability {cap} from the bounding set");
        }
    }
}
