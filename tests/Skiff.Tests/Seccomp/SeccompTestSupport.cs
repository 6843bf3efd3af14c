using System.Text.Json;
using Skiff.Oci.Runtime;
using Skiff.Runtime.Seccomp;

namespace Skiff.Tests.Seccomp;

/// <summary>A test that compares with libseccomp: skipped (never passed) where libseccomp.so.2 is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LibseccompFactAttribute : FactAttribute
{
    public LibseccompFactAttribute()
    {
        if (!Libseccomp.Available) Skip = "needs libseccomp.so.2 (apt-get install libseccomp2) to compare with";
    }
}

[AttributeUsage(AttributeTargets.Method)]
public sealed class LibseccompTheoryAttribute : TheoryAttribute
{
    public LibseccompTheoryAttribute()
    {
        if (!Libseccomp.Available) Skip = "needs libseccomp.so.2 (apt-get install libseccomp2) to compare with";
    }
}

/// <summary>A test that runs scmp_sys_resolver: skipped where the "seccomp" package is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScmpSysResolverFactAttribute : FactAttribute
{
    public static string? Path { get; } = new[] { "/usr/bin/scmp_sys_resolver", "/usr/local/bin/scmp_sys_resolver" }.FirstOrDefault(File.Exists);

    public ScmpSysResolverFactAttribute()
    {
        if (Path is null) Skip = "needs scmp_sys_resolver (apt-get install seccomp)";
    }
}

internal static class Fixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "seccomp");

    /// <summary>One of tests/fixtures/seccomp/podman/*.json: podman's flags, bounding set and linux.seccomp.</summary>
    public static (string Args, List<string> Bounding, LinuxSeccomp? Seccomp) Podman(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, "podman", name + ".json")));
        var root = doc.RootElement;
        var b = root.GetProperty("bounding");
        var bounding = b.ValueKind == JsonValueKind.Null ? [] : b.EnumerateArray().Select(e => e.GetString()!).ToList();
        var seccomp = root.GetProperty("seccomp");
        return (root.GetProperty("args").GetString()!, bounding,
            seccomp.ValueKind == JsonValueKind.Null ? null : Parse(seccomp.GetRawText()));
    }

    public static LinuxSeccomp Parse(string json)
    {
        var spec = JsonSerializer.Deserialize($"{{\"linux\":{{\"seccomp\":{json}}}}}", RuntimeJsonContext.Default.Spec)!;
        return spec.Linux!.Seccomp!;
    }
}

/// <summary>
/// Compares two filters on the inputs that can tell them apart: every architecture (and one no profile lists),
/// every syscall number of the tables and around them, the x32 and other special numbers, and for the syscalls
/// the profile has argument rules for, argument values around every value and mask the rules mention.
/// </summary>
internal static class FilterComparison
{
    public static readonly uint[] ArchTokens =
    [
        ArchInfoTokens.X86_64, ArchInfoTokens.I386, ArchInfoTokens.Aarch64, ArchInfoTokens.Arm, 0x12345678, 0,
    ];

    private static class ArchInfoTokens
    {
        public const uint X86_64 = 0xC000003E, I386 = 0x40000003, Aarch64 = 0xC00000B7, Arm = 0x40000028;
    }

    private static readonly uint[] Special =
    [
        0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xf0000, 0xf0001, 0xf0002, 0xf0005, 0xf0006, 0xf00ff,
    ];

    /// <summary>Returns a description of the first input on which the two programs differ, or null.</summary>
    public static string? FirstDifference(LinuxSeccomp profile, SeccompArch native, byte[] mine, byte[] reference, int seed = 1, bool allNumbers = true) =>
        FirstDifference(profile, native, mine, (token, nr, args) => BpfInterpreter.Run(reference, SeccompData.Of(token, nr, args)), seed, allNumbers);

    /// <summary>As above, against libseccomp's rule database (its pseudo filter code) for the architectures it lists.</summary>
    public static string? FirstDifference(LinuxSeccomp profile, SeccompArch native, byte[] mine, PfcEvaluator reference, int seed = 1) =>
        FirstDifference(profile, native, mine, reference.Evaluate, seed, allNumbers: false);

    /// <summary>
    /// runc's ENOSYS stub, which runs before libseccomp's filter: unless the default action is ALLOW, LOG or
    /// TRACE or its errno is ENOSYS, a number above the highest one the rules name on a listed architecture gets
    /// ENOSYS (x86_64 and x32 told apart by bit 30; i386's socket calls have no number of their own in libseccomp).
    /// </summary>
    public static uint? RuncEnosys(LinuxSeccomp p, SeccompArch native, uint token, uint nr)
    {
        if (p.DefaultErrnoRet == 38 || p.Architectures is not { Count: > 0 }) return null;
        if (p.DefaultAction is "SCMP_ACT_ALLOW" or "SCMP_ACT_LOG" or "SCMP_ACT_TRACE") return null;
        foreach (var name in p.Architectures.Distinct())
        {
            var arch = name switch
            {
                "SCMP_ARCH_X86_64" => SeccompArch.X86_64, "SCMP_ARCH_X86" => SeccompArch.X86, "SCMP_ARCH_X32" => SeccompArch.X32,
                "SCMP_ARCH_AARCH64" => SeccompArch.Aarch64, "SCMP_ARCH_ARM" => SeccompArch.Arm, _ => native,
            };
            if (SyscallTable.AuditArch(arch) != token) continue;
            if (arch == SeccompArch.X86_64 && (nr & 0x40000000) != 0) continue;
            if (arch == SeccompArch.X32 && (nr & 0x40000000) == 0) continue;
            int highest = 0;
            foreach (var n in (p.Syscalls ?? []).SelectMany(r => r.Names))
            {
                int x = arch == SeccompArch.X86 && Libseccomp.ResolveName(arch, n) < 0 ? -1 : SyscallTable.Number(arch, n);
                highest = Math.Max(highest, x);
            }
            if (highest > 0 && nr > (uint)highest) return 0x00050026;
        }
        return null;
    }

    private static string? FirstDifference(LinuxSeccomp profile, SeccompArch native, byte[] mine, Func<uint, uint, ulong[], uint?> reference, int seed, bool allNumbers)
    {
        var values = InterestingValues(profile);
        var rng = new Random(seed);
        var vectors = new List<ulong[]> { new ulong[6] };
        for (int arg = 0; arg < 6; arg++)
            foreach (var v in values)
            {
                var a = new ulong[6];
                a[arg] = v;
                vectors.Add(a);
            }
        for (int i = 0; i < 300; i++)
            vectors.Add(Enumerable.Range(0, 6).Select(_ => values[rng.Next(values.Count)]).ToArray());

        var withArgs = new HashSet<(uint Token, uint Nr)>();
        foreach (var rule in profile.Syscalls ?? [])
        {
            if (rule.Args is not { Count: > 0 }) continue;
            foreach (var name in rule.Names)
                foreach (SeccompArch arch in Enum.GetValues<SeccompArch>())
                {
                    int nr = SyscallTable.Number(arch, name);
                    if (nr >= 0) withArgs.Add((SyscallTable.AuditArch(arch), (uint)nr));
                }
            // i386's multiplexers carry the socket and IPC calls
            withArgs.Add((ArchInfoTokens.I386, 102));
            withArgs.Add((ArchInfoTokens.I386, 117));
        }

        foreach (uint token in ArchTokens)
        {
            var numbers = allNumbers ? Numbers(token) : Special.Concat(withArgs.Where(w => w.Token == token).Select(w => w.Nr)).Concat(Named(profile, token));
            foreach (uint nr in numbers)
            {
                var list = withArgs.Contains((token, nr)) ? vectors : vectors.Take(1);
                foreach (var args in list)
                {
                    uint? b = RuncEnosys(profile, native, token, nr) ?? reference(token, nr, args);
                    if (b is null) continue;
                    uint a = BpfInterpreter.Run(mine, SeccompData.Of(token, nr, args));
                    if (a != b)
                        return $"arch 0x{token:x8} nr {nr} (0x{nr:x}) args [{string.Join(", ", args.Select(x => $"0x{x:x}"))}]: ours {SeccompActions.Describe(a)}, libseccomp {SeccompActions.Describe(b.Value)}";
                }
            }
        }
        return null;
    }

    /// <summary>The numbers of the syscalls the profile names, and their neighbours, on the architecture(s) of a token.</summary>
    private static IEnumerable<uint> Named(LinuxSeccomp profile, uint token)
    {
        var set = new SortedSet<uint> { 0, 1 };
        foreach (var name in (profile.Syscalls ?? []).SelectMany(r => r.Names))
            foreach (SeccompArch arch in Enum.GetValues<SeccompArch>())
            {
                int nr = SyscallTable.Number(arch, name);
                if (nr < 0 || SyscallTable.AuditArch(arch) != token) continue;
                set.Add((uint)nr);
                set.Add((uint)nr + 1);
                set.Add((uint)nr - 1);
            }
        return set;
    }

    private static IEnumerable<uint> Numbers(uint token)
    {
        var set = new SortedSet<uint>(Special);
        for (uint i = 0; i < 1100; i++) set.Add(i);
        if (token == ArchInfoTokens.X86_64)
            for (uint i = 0; i < 1100; i++) set.Add(0x40000000 + i);
        return set;
    }

    private static List<ulong> InterestingValues(LinuxSeccomp profile)
    {
        var set = new HashSet<ulong> { 0, 1, 2, 0xffffffff, 0x100000000, 0x100000001, 0xffffffff00000000, ulong.MaxValue, 0x7fffffff, 0x80000000 };
        foreach (var rule in profile.Syscalls ?? [])
            foreach (var a in rule.Args ?? [])
                foreach (var d in new[] { a.Value, a.ValueTwo, a.Value & a.ValueTwo, a.ValueTwo | ~a.Value })
                    foreach (var v in new[] { d, d - 1, d + 1, d ^ 0x100000000, d & 0xffffffff, d | 0xffffffff00000000, d + 0x100000000, d - 0x100000000 })
                        set.Add(v);
        foreach (uint call in new uint[] { 1, 9, 10, 23 }) set.Add(call);
        return set.Order().ToList();
    }
}
