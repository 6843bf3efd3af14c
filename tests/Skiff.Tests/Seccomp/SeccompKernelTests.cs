using System.Runtime.InteropServices;
using Skiff.Engine.Security;
using Skiff.Interop;
using Skiff.Runtime.Seccomp;

namespace Skiff.Tests.Seccomp;

/// <summary>
/// The kernel accepts the compiled filters and applies them. Each filter goes onto a dedicated thread of its own,
/// with no_new_privs set for that thread only: both are per-thread, so the rest of the test process is untouched,
/// and the thread ends right after (podman's profile allows what a thread's exit needs).
/// </summary>
public partial class SeccompKernelTests
{
    [LibraryImport("libc", EntryPoint = "personality", SetLastError = true)]
    private static partial int Personality(ulong persona);

    private static void OnFilteredThread(SeccompFilter filter, Action<int> body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Libc.Check(Libc.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1), "prctl(PR_SET_NO_NEW_PRIVS)");
                int fd = Libc.SeccompSetFilter(filter.Program, filter.Flags);
                body(fd);
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new Xunit.Sdk.XunitException($"on the filtered thread: {failure}");
    }

    [Fact]
    public void PodmansDefaultLoadsAndRefusesWhatItSays()
    {
        var profile = SeccompPolicy.For(null, Fixtures.Podman("default").Bounding, false)!;
        var filter = SeccompCompiler.Compile(profile, RuntimeInformation.ProcessArchitecture);
        int before = Personality(0xffffffff);
        OnFilteredThread(filter, fd =>
        {
            Assert.Equal(0, fd);
            // personality(0xffffffff) only reads the persona: allowed
            Assert.Equal(before, Personality(0xffffffff));
            // personality(1) is not in the profile: ENOSYS (the default's errno), and the persona is unchanged
            Assert.Equal(-1, Personality(1));
            Assert.Equal(38, Marshal.GetLastPInvokeError());
            // PER_LINUX32 (8) is allowed, but not with a high word set: the filter compares all 64 bits
            Assert.Equal(-1, Personality(0x100000008));
            Assert.Equal(38, Marshal.GetLastPInvokeError());
            Assert.Equal(before, Personality(0xffffffff));
        });
    }

    [Fact]
    public void ANotifyRuleGivesAListenerFd()
    {
        var filter = SeccompCompiler.Compile(new Oci.Runtime.LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = [new Oci.Runtime.SeccompSyscall { Names = ["acct"], Action = "SCMP_ACT_NOTIFY" }],
        }, RuntimeInformation.ProcessArchitecture);
        Assert.True(filter.UsesListener);
        OnFilteredThread(filter, fd =>
        {
            Assert.True(fd > 2, $"seccomp returned {fd}, not a listener fd");
            Assert.True(File.Exists($"/proc/self/fd/{fd}"));
            Libc.Close(fd);
        });
    }
}
