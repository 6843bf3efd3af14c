using System.Runtime.InteropServices;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Seccomp;

namespace Skiff.Tests.Seccomp;

/// <summary>
/// The reference: the filter runc 1.1 builds for a linux.seccomp with libseccomp (the installed libseccomp.so.2),
/// exported as BPF. Only the tests load it; the runtime never does.
/// </summary>
internal static partial class Libseccomp
{
    private const string Lib = "libseccomp.so.2";

    public static bool Available { get; } = Probe();

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(Lib, out var handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }

    public static uint Token(SeccompArch arch) => arch switch
    {
        SeccompArch.X86_64 => 0xC000003E,
        SeccompArch.X86 => 0x40000003,
        SeccompArch.X32 => 0x4000003E, // SCMP_ARCH_X32: EM_X86_64 | __AUDIT_ARCH_LE
        SeccompArch.Aarch64 => 0xC00000B7,
        _ => 0x40000028,
    };

    /// <summary>The reference program, or the libseccomp error code (negative errno) runc would fail with.</summary>
    public static (byte[]? Program, int Error) Build(LinuxSeccomp profile, SeccompArch native)
    {
        var (bpf, _, error) = Export(profile, native, pfc: false);
        return (bpf, error);
    }

    /// <summary>libseccomp's rule database as pseudo filter code, or the libseccomp error code.</summary>
    public static (string? Pfc, int Error) BuildPfc(LinuxSeccomp profile, SeccompArch native)
    {
        var (_, pfc, error) = Export(profile, native, pfc: true);
        return (pfc, error);
    }

    private static (byte[]? Bpf, string? Pfc, int Error) Export(LinuxSeccomp profile, SeccompArch native, bool pfc)
    {
        uint def = Action(profile.DefaultAction, profile.DefaultErrnoRet);
        nint ctx = seccomp_init(def);
        Assert.NotEqual(0, ctx);
        try
        {
            if (native != SeccompArch.X86_64)
            {
                Assert.Equal(0, seccomp_arch_add(ctx, Token(native)));
                Assert.Equal(0, seccomp_arch_remove(ctx, 0));
            }
            foreach (var a in profile.Architectures ?? [])
            {
                var arch = ArchOf(a);
                int rc = seccomp_arch_add(ctx, Token(arch));
                Assert.True(rc is 0 or -17, $"seccomp_arch_add {a}: {rc}");
            }
            // runc counts one rule per name, and asks for the binary tree above 32
            if ((profile.Syscalls?.Sum(r => r.Names.Count) ?? 0) > 32) seccomp_attr_set(ctx, 8 /* SCMP_FLTATR_CTL_OPTIMIZE */, 2);
            foreach (var call in profile.Syscalls ?? [])
            {
                uint act = Action(call.Action, call.ErrnoRet);
                if (act == def) continue;
                foreach (var name in call.Names)
                {
                    int nr = seccomp_syscall_resolve_name(name);
                    if (nr == -1) continue; // __NR_SCMP_ERROR: runc skips it
                    var args = (call.Args ?? []).Select(a => new ScmpArgCmp
                    {
                        Arg = a.Index,
                        Op = Op(a.Op),
                        DatumA = a.Value,
                        DatumB = a.ValueTwo,
                    }).ToArray();
                    bool split = args.Select(a => a.Arg).Distinct().Count() != args.Length;
                    int rc = 0;
                    if (split)
                    {
                        foreach (var arg in args)
                        {
                            rc = Add(ctx, act, nr, [arg]);
                            if (rc != 0) break;
                        }
                    }
                    else rc = Add(ctx, act, nr, args);
                    if (rc != 0) return (null, null, rc);
                }
            }
            string file = Path.GetTempFileName();
            try
            {
                using (var fs = File.Open(file, FileMode.Open, FileAccess.ReadWrite))
                {
                    int fd = (int)fs.SafeFileHandle.DangerousGetHandle();
                    Assert.Equal(0, pfc ? seccomp_export_pfc(ctx, fd) : seccomp_export_bpf(ctx, fd));
                }
                return pfc ? (null, File.ReadAllText(file), 0) : (File.ReadAllBytes(file), null, 0);
            }
            finally { File.Delete(file); }
        }
        finally { seccomp_release(ctx); }
    }

    private static unsafe int Add(nint ctx, uint action, int nr, ScmpArgCmp[] args)
    {
        fixed (ScmpArgCmp* p = args) return seccomp_rule_add_array(ctx, action, nr, (uint)args.Length, p);
    }

    public static int ResolveName(string name) => seccomp_syscall_resolve_name(name);

    public static int ResolveName(SeccompArch arch, string name) => seccomp_syscall_resolve_name_arch(Token(arch), name);

    /// <summary>libseccomp's name for a number on an architecture, or null.</summary>
    public static unsafe string? ResolveNumber(SeccompArch arch, int nr)
    {
        nint p = seccomp_syscall_resolve_num_arch(Token(arch), nr);
        if (p == 0) return null;
        try { return Marshal.PtrToStringUTF8(p); }
        finally { NativeMemory.Free((void*)p); }
    }

    private static SeccompArch ArchOf(string name) => name switch
    {
        "SCMP_ARCH_X86_64" => SeccompArch.X86_64,
        "SCMP_ARCH_X86" => SeccompArch.X86,
        "SCMP_ARCH_X32" => SeccompArch.X32,
        "SCMP_ARCH_AARCH64" => SeccompArch.Aarch64,
        "SCMP_ARCH_ARM" => SeccompArch.Arm,
        _ => throw new ArgumentException(name),
    };

    private static uint Action(string name, uint? errnoRet) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => 0x00000000,
        "SCMP_ACT_KILL_PROCESS" => 0x80000000,
        "SCMP_ACT_TRAP" => 0x00030000,
        "SCMP_ACT_ERRNO" => 0x00050000 | ((errnoRet ?? 1) & 0xffff),
        "SCMP_ACT_TRACE" => 0x7ff00000 | ((errnoRet ?? 1) & 0xffff),
        "SCMP_ACT_ALLOW" => 0x7fff0000,
        "SCMP_ACT_LOG" => 0x7ffc0000,
        "SCMP_ACT_NOTIFY" => 0x7fc00000,
        _ => throw new ArgumentException(name),
    };

    private static int Op(string op) => op switch
    {
        "SCMP_CMP_NE" => 1,
        "SCMP_CMP_LT" => 2,
        "SCMP_CMP_LE" => 3,
        "SCMP_CMP_EQ" => 4,
        "SCMP_CMP_GE" => 5,
        "SCMP_CMP_GT" => 6,
        "SCMP_CMP_MASKED_EQ" => 7,
        _ => throw new ArgumentException(op),
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct ScmpArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(Lib)] private static partial nint seccomp_init(uint defAction);
    [LibraryImport(Lib)] private static partial void seccomp_release(nint ctx);
    [LibraryImport(Lib)] private static partial int seccomp_arch_add(nint ctx, uint arch);
    [LibraryImport(Lib)] private static partial int seccomp_arch_remove(nint ctx, uint arch);
    [LibraryImport(Lib)] private static partial int seccomp_attr_set(nint ctx, int attr, uint value);
    [LibraryImport(Lib)] private static unsafe partial int seccomp_rule_add_array(nint ctx, uint action, int syscall, uint argCount, ScmpArgCmp* args);
    [LibraryImport(Lib)] private static partial int seccomp_export_bpf(nint ctx, int fd);
    [LibraryImport(Lib)] private static partial int seccomp_export_pfc(nint ctx, int fd);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] private static partial int seccomp_syscall_resolve_name(string name);
    [LibraryImport(Lib)] private static partial nint seccomp_syscall_resolve_num_arch(uint arch, int num);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] private static partial int seccomp_syscall_resolve_name_arch(uint arch, string name);
}
