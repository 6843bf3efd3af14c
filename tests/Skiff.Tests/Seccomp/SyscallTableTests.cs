using System.Diagnostics;
using Skiff.Runtime.Seccomp;

namespace Skiff.Tests.Seccomp;

/// <summary>The generated tables agree with libseccomp's, which runc and crun build their filters from.</summary>
public class SyscallTableTests
{
    private static readonly SeccompArch[] All = Enum.GetValues<SeccompArch>();

    private static string ResolverName(SeccompArch arch) => arch switch
    {
        SeccompArch.X86_64 => "x86_64",
        SeccompArch.X86 => "x86",
        SeccompArch.X32 => "x32",
        SeccompArch.Aarch64 => "aarch64",
        _ => "arm",
    };

    /// <summary>The socket and IPC calls libseccomp sends through socketcall/ipc on i386 (it answers a pseudo number).</summary>
    private static bool MultiplexedOnX86(SeccompArch arch, string name) =>
        arch == SeccompArch.X86 && Libseccomp.ResolveName(arch, name) is < 0 and > -300;

    [LibseccompFact]
    public void EveryNumberLibseccompNamesHasThatNameHere()
    {
        foreach (var arch in All)
        {
            int baseNr = arch == SeccompArch.X32 ? 0x40000000 : 0;
            var numbers = Enumerable.Range(baseNr, 1100);
            if (arch == SeccompArch.Arm) numbers = numbers.Concat(Enumerable.Range(0xf0000, 16));
            int seen = 0;
            foreach (int nr in numbers)
            {
                var name = Libseccomp.ResolveNumber(arch, nr);
                if (name is null) continue;
                seen++;
                Assert.True(SyscallTable.Number(arch, name) == nr, $"{arch}: libseccomp has {name} = {nr}, the table {SyscallTable.Number(arch, name)}");
            }
            Assert.True(seen > 250, $"{arch}: libseccomp named only {seen} numbers");
        }
    }

    [LibseccompFact]
    public void EveryNameHereHasLibseccompsNumber()
    {
        foreach (var arch in All)
        {
            var newer = new List<string>();
            foreach (var (name, nr) in SyscallTable.Entries(arch))
            {
                if (MultiplexedOnX86(arch, name)) continue;
                int lib = Libseccomp.ResolveName(arch, name);
                if (lib < 0) { newer.Add(name); continue; } // the headers know a syscall this libseccomp does not
                Assert.True(lib == nr, $"{arch}: {name} is {nr} in the table, {lib} in libseccomp");
            }
            Assert.True(newer.Count < 10, $"{arch}: {newer.Count} syscalls unknown to libseccomp: {string.Join(", ", newer)}");
        }
    }

    /// <summary>The same through the scmp_sys_resolver program itself, for a sample of each table.</summary>
    [ScmpSysResolverFact]
    public void AgreesWithScmpSysResolver()
    {
        string resolver = ScmpSysResolverFactAttribute.Path!;
        foreach (var arch in All)
        {
            var entries = SyscallTable.Entries(arch);
            for (int i = 0; i < entries.Count; i += entries.Count / 12)
            {
                var (name, nr) = entries[i];
                var psi = new ProcessStartInfo(resolver, ["-a", ResolverName(arch), name]) { RedirectStandardOutput = true };
                using var p = Process.Start(psi)!;
                string output = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                if (arch == SeccompArch.X86 && int.Parse(output, System.Globalization.CultureInfo.InvariantCulture) is < 0 and > -300) continue;
                Assert.True(output == nr.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{arch} {name}: table {nr}, scmp_sys_resolver {output}");
            }
        }
    }

    [Fact]
    public void X32NumbersCarryTheX32Bit()
    {
        Assert.All(SyscallTable.Entries(SeccompArch.X32), e => Assert.True((e.Number & 0x40000000) != 0, e.Name));
        Assert.All(SyscallTable.Entries(SeccompArch.X86_64), e => Assert.True((e.Number & 0x40000000) == 0, e.Name));
        Assert.Equal(0x40000000 + 512, SyscallTable.Number(SeccompArch.X32, "rt_sigaction"));
        Assert.Equal(13, SyscallTable.Number(SeccompArch.X86_64, "rt_sigaction"));
    }

    [Fact]
    public void WellKnownNumbers()
    {
        Assert.Equal(0, SyscallTable.Number(SeccompArch.X86_64, "read"));
        Assert.Equal(3, SyscallTable.Number(SeccompArch.X86, "read"));
        Assert.Equal(63, SyscallTable.Number(SeccompArch.Aarch64, "read"));
        Assert.Equal(3, SyscallTable.Number(SeccompArch.Arm, "read"));
        Assert.Equal(0xf0005, SyscallTable.Number(SeccompArch.Arm, "set_tls"));
        Assert.Equal(435, SyscallTable.Number(SeccompArch.Aarch64, "clone3"));
        Assert.Equal(-1, SyscallTable.Number(SeccompArch.Aarch64, "open")); // the generic table has openat only
        Assert.Equal(-1, SyscallTable.Number(SeccompArch.X86_64, "no_such_syscall"));
    }
}
