using System.Runtime.InteropServices;
using Skiff.Oci.Runtime;

namespace Skiff.Runtime.Seccomp;

/// <summary>A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER, Flags, &amp;sock_fprog).</summary>
public sealed class SeccompFilter
{
    internal SeccompFilter(byte[] program, uint flags, bool usesListener)
    {
        Program = program;
        Flags = flags;
        UsesListener = usesListener;
    }

    /// <summary>The sock_filter array: 8 bytes per instruction, in the host's byte order.</summary>
    public byte[] Program { get; }
    /// <summary>SECCOMP_FILTER_FLAG_* bits (NEW_LISTENER when a rule or the default action is SCMP_ACT_NOTIFY).</summary>
    public uint Flags { get; }
    /// <summary>seccomp(2) returns the notification listener's fd (NEW_LISTENER is in <see cref="Flags"/>).</summary>
    public bool UsesListener { get; }
    public int InstructionCount => Program.Length / Bpf.InstructionSize;
}

/// <summary>SECCOMP_FILTER_FLAG_* (linux/seccomp.h).</summary>
public static class SeccompFlags
{
    public const uint Tsync = 1;
    public const uint Log = 2;
    public const uint SpecAllow = 4;
    public const uint NewListener = 8;
    public const uint TsyncEsrch = 16;
    public const uint WaitKillableRecv = 32;

    /// <summary>The spec's flag names, all of which the compiler accepts.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    ];

    public static uint? Value(string name) => name switch
    {
        "SECCOMP_FILTER_FLAG_TSYNC" => Tsync,
        "SECCOMP_FILTER_FLAG_LOG" => Log,
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => SpecAllow,
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => WaitKillableRecv,
        _ => null,
    };
}

/// <summary>
/// Compiles the spec's linux.seccomp to a classic BPF program for SECCOMP_SET_MODE_FILTER, with the meaning runc
/// gives it through libseccomp 2.5: rules whose action is the default are dropped, unknown syscall names are
/// skipped, conditions on one argument given twice in a rule become separate rules, rules for one syscall merge
/// as libseccomp merges them (see <see cref="RuleDatabase"/>), the native architecture is always filtered, an
/// architecture the profile does not list gets KILL_THREAD, and syscalls newer than the profile get ENOSYS as
/// runc's stub gives them.
/// </summary>
public static class SeccompCompiler
{
    /// <summary>The comparison operators the spec defines, all supported.</summary>
    public static readonly IReadOnlyList<string> Operators =
    [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    ];

    /// <summary>The architectures the compiler has syscall tables for.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ArchInfo.All.Select(a => a.Name).ToArray();

    /// <summary>What `features` reports about seccomp.</summary>
    public static SeccompFeatures Features() => new()
    {
        Enabled = true,
        Actions = [.. SeccompActions.Names],
        Operators = [.. Operators],
        Archs = [.. Architectures],
        KnownFlags = [.. SeccompFlags.Names],
        SupportedFlags = [.. SeccompFlags.Names],
    };

    private static readonly string[] OtherLibseccompArchs =
    [
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
        "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ];

    private const string Where = "linux.seccomp";

    /// <summary>The native architecture's tables, or null where there are none.</summary>
    public static SeccompArch? NativeArch(Architecture native) => native switch
    {
        Architecture.X64 => SeccompArch.X86_64,
        Architecture.Arm64 => SeccompArch.Aarch64,
        Architecture.X86 => SeccompArch.X86,
        Architecture.Arm => SeccompArch.Arm,
        _ => null,
    };

    public static SeccompFilter Compile(LinuxSeccomp profile, Architecture native)
    {
        var nativeArch = NativeArch(native) ?? throw new RuntimeException($"{Where}: no syscall tables for the {native} architecture");
        uint defaultAction = SeccompActions.Value(profile.DefaultAction, profile.DefaultErrnoRet)
            ?? throw new RuntimeException($"{Where}: unknown defaultAction \"{profile.DefaultAction}\"");
        CheckErrno(profile.DefaultErrnoRet, "defaultErrnoRet");
        var archs = ArchitecturesOf(profile, nativeArch);
        uint flags = 0;
        foreach (var name in profile.Flags ?? [])
            flags |= SeccompFlags.Value(name) ?? throw new RuntimeException($"{Where}: unknown flag \"{name}\"");

        var databases = archs.Select(a => new RuleDatabase(a)).ToList();
        bool notify = AddRules(profile, databases, defaultAction) || defaultAction == SeccompActions.UserNotif;
        if (notify) flags |= SeccompFlags.NewListener;
        if ((flags & SeccompFlags.Tsync) != 0 && notify) flags |= SeccompFlags.TsyncEsrch;
        if ((flags & SeccompFlags.WaitKillableRecv) != 0 && !notify)
            throw new RuntimeException($"{Where}: flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule");

        // x86_64 and x32 share one AUDIT_ARCH value, hence one block
        var blocks = new List<FilterCodegen.ArchBlock>();
        foreach (var db in databases)
        {
            if (blocks.Any(b => b.AuditArch == db.Arch.AuditArch)) continue;
            blocks.Add(new FilterCodegen.ArchBlock
            {
                AuditArch = db.Arch.AuditArch,
                Databases = databases.Where(d => d.Arch.AuditArch == db.Arch.AuditArch).ToList(),
            });
        }
        var program = FilterCodegen.Generate(blocks, defaultAction, SeccompActions.KillThread, EnosysLimits(profile, nativeArch, defaultAction));
        int count = program.Length / Bpf.InstructionSize;
        if (count > Bpf.MaxInstructions)
            throw new RuntimeException($"{Where}: the filter needs {count} BPF instructions, more than the kernel's limit of {Bpf.MaxInstructions}; the profile has too many argument rules");
        return new SeccompFilter(program, flags, notify);
    }

    /// <summary>The native architecture, then the listed ones, each once.</summary>
    private static List<ArchInfo> ArchitecturesOf(LinuxSeccomp profile, SeccompArch native)
    {
        var archs = new List<ArchInfo> { ArchInfo.Of(native) };
        foreach (var name in profile.Architectures ?? [])
        {
            var arch = name == "SCMP_ARCH_NATIVE" ? ArchInfo.Of(native) : ArchInfo.All.FirstOrDefault(a => a.Name == name);
            if (arch is null)
            {
                throw new RuntimeException(OtherLibseccompArchs.Contains(name)
                    ? $"{Where}: architecture {name} is not supported (the filter knows {string.Join(", ", Architectures)})"
                    : $"{Where}: unknown architecture \"{name}\"");
            }
            if (!archs.Contains(arch)) archs.Add(arch);
        }
        return archs;
    }

    /// <summary>Adds every rule to every architecture as runc does; true if a NOTIFY rule went in.</summary>
    private static bool AddRules(LinuxSeccomp profile, List<RuleDatabase> databases, uint defaultAction)
    {
        bool hasX86 = databases.Any(d => d.Arch.Arch == SeccompArch.X86);
        bool notify = false;
        var conditions = new List<ArgCondition>(6);
        foreach (var rule in profile.Syscalls ?? [])
        {
            uint action = SeccompActions.Value(rule.Action, rule.ErrnoRet)
                ?? throw new RuntimeException($"{Where}: unknown action \"{rule.Action}\" for syscall {Describe(rule.Names)}");
            CheckErrno(rule.ErrnoRet, $"errnoRet of syscall {Describe(rule.Names)}");
            conditions.Clear();
            foreach (var arg in rule.Args ?? [])
            {
                var op = Operator(arg.Op) ?? throw new RuntimeException($"{Where}: unknown operator \"{arg.Op}\" for syscall {Describe(rule.Names)}");
                if (arg.Index > 5) throw new RuntimeException($"{Where}: argument index {arg.Index} of syscall {Describe(rule.Names)} is out of range (0-5)");
                conditions.Add(op == CmpOp.MaskedEq
                    ? new ArgCondition((int)arg.Index, op, arg.Value, arg.ValueTwo)
                    : new ArgCondition((int)arg.Index, op, ulong.MaxValue, arg.Value));
            }
            foreach (var name in rule.Names)
                if (string.IsNullOrEmpty(name)) throw new RuntimeException($"{Where}: an empty syscall name in the rule for {Describe(rule.Names)}");
            // as runc: a rule with the default's action changes nothing
            if (action == defaultAction) continue;
            // as runc: two conditions on one argument cannot be one libseccomp rule, so each becomes a rule of its own
            bool split = false;
            uint argsSeen = 0;
            foreach (var c in conditions)
            {
                split |= (argsSeen & (1u << c.Arg)) != 0;
                argsSeen |= 1u << c.Arg;
            }
            foreach (var name in rule.Names)
            {
                int row = SyscallTables.Row(name);
                var mux = hasX86 || row < 0 ? X86Multiplexed.OfRow(row, name) : null;
                if (row < 0 && mux is null) continue; // as runc: a syscall no table knows is skipped
                foreach (var db in databases)
                {
                    bool added = false;
                    if (split)
                        foreach (var c in conditions) added |= AddRule(db, name, row, mux, action, [c]);
                    else added = AddRule(db, name, row, mux, action, CollectionsMarshal.AsSpan(conditions));
                    notify |= added && action == SeccompActions.UserNotif;
                }
            }
        }
        return notify;
    }

    /// <summary>
    /// runc's ENOSYS stub: unless the default action lets calls through (ALLOW, LOG, TRACE) or already fails them
    /// with ENOSYS, each architecture the profile lists gets ENOSYS for the numbers above the highest one its rules
    /// name (libseccomp's resolver does not give i386's socket and IPC calls their direct numbers, so neither does
    /// this).
    /// </summary>
    private static List<FilterCodegen.EnosysLimit>? EnosysLimits(LinuxSeccomp profile, SeccompArch native, uint defaultAction)
    {
        if (profile.DefaultErrnoRet == 38 || profile.Architectures is not { Count: > 0 }) return null;
        if ((defaultAction & SeccompActions.ActionMask) is SeccompActions.Allow or SeccompActions.Log or SeccompActions.Trace) return null;
        var limits = new List<FilterCodegen.EnosysLimit>();
        foreach (var name in profile.Architectures)
        {
            var arch = name == "SCMP_ARCH_NATIVE" ? native : ArchInfo.All.First(a => a.Name == name).Arch;
            if (limits.Any(l => l.Arch == arch)) continue;
            var info = ArchInfo.Of(arch);
            uint highest = 0;
            foreach (var rule in profile.Syscalls ?? [])
                foreach (var syscall in rule.Names)
                {
                    if (arch == SeccompArch.X86 && X86Multiplexed.Of(syscall) is not null) continue;
                    int nr = info.Number(SyscallTables.Row(syscall));
                    if (nr > 0 && (uint)nr > highest) highest = (uint)nr;
                }
            if (highest != 0) limits.Add(new FilterCodegen.EnosysLimit(arch, highest));
        }
        return limits;
    }

    /// <summary>Adds the rule for <paramref name="name"/> to one architecture; false if that architecture has no such syscall.</summary>
    private static bool AddRule(RuleDatabase db, string name, int row, (int Syscall, uint Call)? mux, uint action, ReadOnlySpan<ArgCondition> conditions)
    {
        try
        {
            if (db.Arch.Arch == SeccompArch.X86 && mux is { } m)
            {
                // the multiplexer with argument 0 set to the call's number, then the direct syscall if i386 has one
                var muxed = new List<ArgCondition>(conditions.Length + 1) { new(0, CmpOp.Eq, ulong.MaxValue, m.Call) };
                foreach (var c in conditions) if (c.Arg != 0) muxed.Add(c);
                db.Add(m.Syscall, action, CollectionsMarshal.AsSpan(muxed));
                int direct = db.Arch.Number(row);
                if (direct >= 0) db.Add(direct, action, conditions);
                return true;
            }
            int nr = db.Arch.Number(row);
            if (nr < 0)
            {
                try
                {
                    if (db.Arch.Arch != SeccompArch.X86) db.AddAbsent(row, action, conditions);
                }
                catch (TangledRulesException)
                {
                    throw new RuntimeException($"{Where}: the rules for syscall {name} cannot be merged: a range or inequality test followed by tests on other arguments meets an earlier rule's tests ({db.Arch.Name} has no {name}, but libseccomp, and so runc, hangs on this profile for it); write those rules as separate, simpler ones");
                }
                catch (RuleConflictException)
                {
                    throw new RuntimeException($"{Where}: the {SeccompActions.Describe(action)} rule for syscall {name} contradicts an earlier rule for it (two rules end on the same argument comparison with different actions; {db.Arch.Name} has no {name}, but libseccomp, and so runc, refuses this profile for it)");
                }
                return false;
            }
            db.Add(nr, action, conditions);
            return true;
        }
        catch (RuleConflictException)
        {
            throw new RuntimeException($"{Where}: the {SeccompActions.Describe(action)} rule for syscall {name} contradicts an earlier rule for it on {db.Arch.Name} (two rules end on the same argument comparison with different actions; runc refuses this profile too)");
        }
        catch (TangledRulesException)
        {
            throw new RuntimeException($"{Where}: the rules for syscall {name} cannot be merged: a range or inequality test followed by tests on other arguments meets an earlier rule's tests (libseccomp, and so runc, hangs on this profile); write those rules as separate, simpler ones");
        }
    }

    private static CmpOp? Operator(string op) => op switch
    {
        "SCMP_CMP_NE" => CmpOp.Ne,
        "SCMP_CMP_LT" => CmpOp.Lt,
        "SCMP_CMP_LE" => CmpOp.Le,
        "SCMP_CMP_EQ" => CmpOp.Eq,
        "SCMP_CMP_GE" => CmpOp.Ge,
        "SCMP_CMP_GT" => CmpOp.Gt,
        "SCMP_CMP_MASKED_EQ" => CmpOp.MaskedEq,
        _ => null,
    };

    private static void CheckErrno(uint? errno, string what)
    {
        if (errno > 0xffff) throw new RuntimeException($"{Where}: {what} {errno} is out of range (0-65535)");
    }

    private static string Describe(List<string> names) => names.Count switch
    {
        0 => "(no names)",
        1 => names[0],
        _ => $"{names[0]} (and {names.Count - 1} more)",
    };
}
