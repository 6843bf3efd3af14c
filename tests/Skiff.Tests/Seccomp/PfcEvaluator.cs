using System.Globalization;
using System.Text.RegularExpressions;

namespace Skiff.Tests.Seccomp;

/// <summary>
/// Evaluates libseccomp's pseudo filter code (seccomp_export_pfc): its rule database written out as nested ifs,
/// before BPF generation. Comparing with it tests what the rules mean to libseccomp without the accumulator
/// mix-ups of libseccomp 2.5.4's BPF generator (a level reached after a nested level loaded another argument
/// word compares the wrong word; an unconditional rule for a syscall the native architecture lacks drops an
/// architecture's syscall-number load), which Skiff's filter does not reproduce.
/// </summary>
internal sealed partial class PfcEvaluator
{
    private abstract record Stmt;
    private sealed record If(Func<Input, bool> Cond, List<Stmt> Then, List<Stmt> Else) : Stmt;
    private sealed record Act(uint Action) : Stmt;

    public readonly record struct Input(uint Arch, uint Nr, ulong[] Args);

    /// <summary>Per architecture name (x86_64, x32, x86, aarch64, arm): its token and its statements.</summary>
    private readonly List<(string Name, uint Token, List<Stmt> Body)> _arches = [];
    private readonly uint _badArch;

    private PfcEvaluator(string pfc)
    {
        var lines = pfc.Split('\n').Where(l => l.Trim().Length > 0).ToList();
        int i = 0;
        string? archName = null;
        uint? badArch = null;
        while (i < lines.Count)
        {
            string t = lines[i].Trim();
            var m = ArchComment().Match(t);
            if (m.Success) { archName = m.Groups[1].Value; i++; continue; }
            if (t.StartsWith('#')) { i++; continue; }
            if (t.StartsWith("if ($arch == ", StringComparison.Ordinal))
            {
                uint token = uint.Parse(t[13..^1], CultureInfo.InvariantCulture);
                i++;
                var body = Block(lines, ref i, Indent(lines[i - 1]) + 2);
                _arches.Add((archName!, token, body));
                continue;
            }
            if (t.StartsWith("action ", StringComparison.Ordinal)) { badArch = ParseAction(t); i++; continue; }
            throw new FormatException("pfc: " + t);
        }
        _badArch = badArch ?? throw new FormatException("pfc: no bad-architecture action");
    }

    public static PfcEvaluator Parse(string pfc) => new(pfc);

    /// <summary>
    /// The action for a call, or null where the pseudo code does not say: x86_64's token carries x32 numbers too,
    /// and the check that turns away the half of an architecture the profile does not list is not in it.
    /// </summary>
    public uint? Evaluate(uint arch, uint nr, ulong[] args)
    {
        var input = new Input(arch, nr, args);
        var candidates = _arches.Where(a => a.Token == arch).ToList();
        if (candidates.Count == 0) return _badArch;
        var block = candidates.FirstOrDefault(a => a.Name is not ("x86_64" or "x32") || (a.Name == "x32") == (nr >= 0x40000000));
        if (block.Body is null) return null;
        return Run(block.Body, input) ?? throw new InvalidOperationException("pfc: fell off an architecture's block");
    }


    private static uint? Run(List<Stmt> stmts, Input input)
    {
        foreach (var s in stmts)
        {
            switch (s)
            {
                case Act a: return a.Action;
                case If f:
                    var r = Run(f.Cond(input) ? f.Then : f.Else, input);
                    if (r is not null) return r;
                    break;
            }
        }
        return null;
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    private static List<Stmt> Block(List<string> lines, ref int i, int indent)
    {
        var list = new List<Stmt>();
        while (i < lines.Count && Indent(lines[i]) >= indent)
        {
            string t = lines[i].Trim();
            if (Indent(lines[i]) > indent) throw new FormatException("pfc indent: " + lines[i]);
            if (t.StartsWith('#')) { i++; continue; }
            if (t.StartsWith("action ", StringComparison.Ordinal)) { list.Add(new Act(ParseAction(t))); i++; continue; }
            if (t.StartsWith("if (", StringComparison.Ordinal))
            {
                var cond = ParseCond(t[4..^1]);
                i++;
                var then = Block(lines, ref i, indent + 2);
                var els = new List<Stmt>();
                if (i < lines.Count && Indent(lines[i]) == indent && lines[i].Trim() == "else")
                {
                    i++;
                    els = Block(lines, ref i, indent + 2);
                }
                list.Add(new If(cond, then, els));
                continue;
            }
            throw new FormatException("pfc: " + t);
        }
        return list;
    }

    private static Func<Input, bool> ParseCond(string c)
    {
        var m = SyscallCond().Match(c);
        if (m.Success)
        {
            uint nr = (uint)long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return x => x.Nr == nr;
        }
        m = ArgCond().Match(c);
        if (!m.Success) throw new FormatException("pfc condition: " + c);
        int arg = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        string word = m.Groups[2].Value;
        uint mask = m.Groups[3].Success ? uint.Parse(m.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : uint.MaxValue;
        string op = m.Groups[4].Value;
        uint k = (uint)ulong.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture);
        return x =>
        {
            ulong a = x.Args[arg];
            uint w = (word == ".hi32" ? (uint)(a >> 32) : (uint)a) & mask;
            return op switch { "==" => w == k, ">" => w > k, ">=" => w >= k, _ => throw new FormatException(op) };
        };
    }

    private static uint ParseAction(string t)
    {
        string a = t["action ".Length..].TrimEnd(';');
        var m = ActionWithData().Match(a);
        if (m.Success)
        {
            uint data = uint.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) & 0xffff;
            return (m.Groups[1].Value == "ERRNO" ? 0x00050000u : 0x7ff00000u) | data;
        }
        return a switch
        {
            "KILL" => 0,
            "KILL_PROCESS" => 0x80000000,
            "TRAP" => 0x00030000,
            "ALLOW" => 0x7fff0000,
            "LOG" => 0x7ffc0000,
            "NOTIFY" or "0x7fc00000" => 0x7fc00000, // libseccomp 2.5.4 prints NOTIFY as a number
            _ => throw new FormatException("pfc action: " + a),
        };
    }

    [GeneratedRegex(@"^# filter for arch (\S+) \(\d+\)$")] private static partial Regex ArchComment();
    [GeneratedRegex(@"^\$syscall == (-?\d+)$")] private static partial Regex SyscallCond();
    [GeneratedRegex(@"^\$a(\d)(\.hi32|\.lo32|)(?: & 0x([0-9a-f]+))? (==|>=|>) (\d+)$")] private static partial Regex ArgCond();
    [GeneratedRegex(@"^(ERRNO|TRACE)\((\d+)\)$")] private static partial Regex ActionWithData();
}
