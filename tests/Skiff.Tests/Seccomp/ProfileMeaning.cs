using Skiff.Oci.Runtime;
using Skiff.Runtime.Seccomp;

namespace Skiff.Tests.Seccomp;

/// <summary>
/// What a linux.seccomp means, written from the spec and runc's documented behaviour rather than from the
/// compiler, for profiles whose rules for one syscall never match the same call with different actions (as
/// podman's): an architecture not listed (the native one always is) is killed; for a syscall, the first
/// unconditional rule decides; otherwise a rule whose conditions all hold decides (conditions on one argument
/// given twice are alternatives, as runc splits them); otherwise the default action. Rules with the default's
/// action change nothing. 32-bit architectures (x86, arm, and x32 as libseccomp has it) compare the low words.
/// Before all that, runc's stub gives ENOSYS to numbers above the profile's highest (see FilterComparison.RuncEnosys).
/// On i386 a socket or IPC call's rule also covers socketcall/ipc with argument 0 set to the call's number.
/// </summary>
internal static class ProfileMeaning
{
    public static uint Verdict(LinuxSeccomp p, SeccompArch native, uint token, uint nr, ulong[] args)
    {
        if (FilterComparison.RuncEnosys(p, native, token, nr) is { } enosys) return enosys;
        var listed = new List<SeccompArch> { native };
        foreach (var a in p.Architectures ?? [])
            listed.Add(a switch
            {
                "SCMP_ARCH_X86_64" => SeccompArch.X86_64,
                "SCMP_ARCH_X86" => SeccompArch.X86,
                "SCMP_ARCH_X32" => SeccompArch.X32,
                "SCMP_ARCH_AARCH64" => SeccompArch.Aarch64,
                "SCMP_ARCH_ARM" => SeccompArch.Arm,
                _ => native,
            });
        uint def = Action(p.DefaultAction, p.DefaultErrnoRet);
        SeccompArch arch;
        if (token == SyscallTable.AuditArch(SeccompArch.X86_64))
        {
            bool x32Number = nr >= 0x40000000;
            bool has64 = listed.Contains(SeccompArch.X86_64), has32 = listed.Contains(SeccompArch.X32);
            if (!has64 && !has32) return 0;
            if (x32Number && !has32) return nr == 0xffffffff ? def : 0;
            if (!x32Number && !has64) return 0;
            arch = x32Number ? SeccompArch.X32 : SeccompArch.X86_64;
        }
        else
        {
            var match = listed.Where(a => a is not (SeccompArch.X86_64 or SeccompArch.X32) && SyscallTable.AuditArch(a) == token).ToList();
            if (match.Count == 0) return 0;
            arch = match[0];
        }
        bool is32 = arch is SeccompArch.X86 or SeccompArch.Arm or SeccompArch.X32;

        uint? unconditional = null;
        var matched = new HashSet<uint>();
        foreach (var rule in p.Syscalls ?? [])
        {
            uint act = Action(rule.Action, rule.ErrnoRet);
            if (act == def) continue;
            foreach (var name in rule.Names)
            {
                var conditions = (rule.Args ?? []).ToList();
                bool applies = SyscallTable.Number(arch, name) is var n && n >= 0 && (uint)n == nr;
                if (!applies && arch == SeccompArch.X86 && Multiplexed(name) is { } mux && mux.Nr == nr)
                {
                    applies = true;
                    conditions = [.. conditions.Where(c => c.Index != 0), new SeccompArg { Index = 0, Op = "SCMP_CMP_EQ", Value = mux.Call }];
                }
                if (!applies) continue;
                if (conditions.Count == 0)
                {
                    unconditional ??= act;
                    continue;
                }
                bool split = conditions.Select(c => c.Index).Distinct().Count() != conditions.Count;
                bool holds = split ? conditions.Any(c => Holds(c, args, is32)) : conditions.All(c => Holds(c, args, is32));
                if (holds) matched.Add(act);
            }
        }
        if (unconditional is { } u) return u;
        Assert.True(matched.Count <= 1, $"the profile's rules match nr {nr} on {arch} with different actions: not a profile this oracle covers");
        return matched.Count == 1 ? matched.First() : def;
    }

    private static bool Holds(SeccompArg c, ulong[] args, bool is32)
    {
        ulong a = args[c.Index], v = c.Value, v2 = c.ValueTwo;
        if (is32) { a = (uint)a; v = (uint)v; v2 = (uint)v2; }
        return c.Op switch
        {
            "SCMP_CMP_NE" => a != v,
            "SCMP_CMP_LT" => a < v,
            "SCMP_CMP_LE" => a <= v,
            "SCMP_CMP_EQ" => a == v,
            "SCMP_CMP_GE" => a >= v,
            "SCMP_CMP_GT" => a > v,
            // libseccomp (and so runc) masks the value too, and drops a test with a zero mask as always true
            "SCMP_CMP_MASKED_EQ" => (a & v) == (v2 & v),
            _ => throw new ArgumentException(c.Op),
        };
    }

    private static (uint Nr, uint Call)? Multiplexed(string name)
    {
        string[] socket = ["socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername", "socketpair", "send", "recv", "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg"];
        int i = Array.IndexOf(socket, name);
        if (i >= 0) return (102, (uint)i + 1);
        return name switch
        {
            "semop" => (117, 1), "semget" => (117, 2), "semctl" => (117, 3), "semtimedop" => (117, 4),
            "msgsnd" => (117, 11), "msgrcv" => (117, 12), "msgget" => (117, 13), "msgctl" => (117, 14),
            "shmat" => (117, 21), "shmdt" => (117, 22), "shmget" => (117, 23), "shmctl" => (117, 24),
            _ => null,
        };
    }

    public static uint Action(string name, uint? errnoRet) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => 0x00000000,
        "SCMP_ACT_KILL_PROCESS" => 0x80000000,
        "SCMP_ACT_TRAP" => 0x00030000,
        "SCMP_ACT_ERRNO" => 0x00050000 | (errnoRet ?? 1),
        "SCMP_ACT_TRACE" => 0x7ff00000 | (errnoRet ?? 1),
        "SCMP_ACT_ALLOW" => 0x7fff0000,
        "SCMP_ACT_LOG" => 0x7ffc0000,
        "SCMP_ACT_NOTIFY" => 0x7fc00000,
        _ => throw new ArgumentException(name),
    };

    /// <summary>Checks the filter against the meaning on every architecture token, every syscall number of the
    /// tables and around them, the x32 range, and, for the syscalls with argument rules, argument vectors built
    /// from the values the rules mention.</summary>
    public static void AssertFilterMeans(LinuxSeccomp p, SeccompArch native, byte[] program)
    {
        var values = new SortedSet<ulong> { 0, 1, 0xffffffff, 0x100000000, ulong.MaxValue };
        foreach (var a in (p.Syscalls ?? []).SelectMany(r => r.Args ?? []))
            foreach (var v in new[] { a.Value, a.ValueTwo })
                foreach (var d in new[] { v, v - 1, v + 1, v ^ 0x100000000, v & 0xffffffff, v | 0xffffffff00000000 })
                    values.Add(d);
        var vectors = new List<ulong[]> { new ulong[6] };
        foreach (var v in values)
            for (int i = 0; i < 6; i++)
            {
                var x = new ulong[6];
                x[i] = v;
                vectors.Add(x);
            }
        var rng = new Random(7);
        var list = values.ToList();
        for (int i = 0; i < 200; i++) vectors.Add([.. Enumerable.Range(0, 6).Select(_ => list[rng.Next(list.Count)])]);

        var withArgs = new HashSet<string>((p.Syscalls ?? []).Where(r => r.Args is { Count: > 0 }).SelectMany(r => r.Names));
        foreach (uint token in new uint[] { 0xC000003E, 0x40000003, 0xC00000B7, 0x40000028, 0x12345678 })
        {
            var numbers = new SortedSet<uint> { 0xffffffff, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000 };
            for (uint n = 0; n < 600; n++) numbers.Add(n);
            if (token == 0xC000003E) for (uint n = 0; n < 600; n++) numbers.Add(0x40000000 + n);
            if (token == 0x40000028) for (uint n = 0xf0000; n < 0xf0010; n++) numbers.Add(n);
            var conditional = new HashSet<uint> { 102, 117 };
            foreach (SeccompArch arch in Enum.GetValues<SeccompArch>())
                if (SyscallTable.AuditArch(arch) == token)
                    foreach (var name in withArgs)
                        if (SyscallTable.Number(arch, name) is var n && n >= 0) conditional.Add((uint)n);
            foreach (uint nr in numbers)
                foreach (var args in conditional.Contains(nr) ? vectors : vectors.Take(1))
                {
                    uint want = Verdict(p, native, token, nr, args);
                    uint got = BpfInterpreter.Run(program, SeccompData.Of(token, nr, args));
                    if (got != want)
                        Assert.Fail($"arch 0x{token:x8} nr {nr} (0x{nr:x}) args [{string.Join(", ", args.Select(x => $"0x{x:x}"))}]: the filter says {SeccompActions.Describe(got)}, the profile means {SeccompActions.Describe(want)}");
                }
        }
    }
}
