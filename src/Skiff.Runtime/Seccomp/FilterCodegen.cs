namespace Skiff.Runtime.Seccomp;

/// <summary>
/// Writes the filter: seccomp_data.arch is checked first (an architecture the profile does not list gets
/// KILL_THREAD, libseccomp's "bad architecture" action); per architecture, the syscall number is located by a binary
/// search over the ranges of numbers that share a verdict (consecutive syscalls with the same unconditional action
/// form one range: podman's profile for x86_64, x86 and x32 is 637 instructions, of which about a dozen run for a
/// syscall, where libseccomp's binary tree needs 1426 and 15); a syscall with argument rules runs its decision tree,
/// falling back to the default action.
/// x86_64 and x32 share AUDIT_ARCH_X86_64: x32 numbers carry bit 30. When only one of the two is listed the other
/// half of the numbers gets the bad-architecture action (except -1, which a tracer uses to skip a syscall), as
/// libseccomp does; when both are, their rules form one table.
/// </summary>
internal sealed class FilterCodegen
{
    private readonly BpfAssembler _asm = new();
    private readonly uint _default;
    private readonly uint _badArch;

    private FilterCodegen(uint defaultAction, uint badArch)
    {
        _default = defaultAction;
        _badArch = badArch;
    }

    /// <summary>One block of the filter: the databases of the architectures that share one AUDIT_ARCH value.</summary>
    internal sealed class ArchBlock
    {
        public required uint AuditArch { get; init; }
        public required IReadOnlyList<RuleDatabase> Databases { get; init; }
        public bool HasX86_64 => Databases.Any(d => d.Arch.Arch == SeccompArch.X86_64);
        public bool HasX32 => Databases.Any(d => d.Arch.Arch == SeccompArch.X32);
    }

    public static byte[] Generate(IReadOnlyList<ArchBlock> blocks, uint defaultAction, uint badArch, IReadOnlyList<EnosysLimit>? enosys = null)
    {
        var g = new FilterCodegen(defaultAction, badArch);
        if (enosys is { Count: > 0 }) g.EmitEnosysStub(enosys);
        g.Emit(blocks);
        return g._asm.Assemble();
    }

    /// <summary>runc's limit: on <paramref name="Arch"/>, syscall numbers above <paramref name="Highest"/> get ENOSYS.</summary>
    internal readonly record struct EnosysLimit(SeccompArch Arch, uint Highest);

    private const uint ErrnoEnosys = SeccompActions.Errno | 38;

    /// <summary>
    /// The stub runc 1.1 puts in front of libseccomp's filter so that syscalls newer than the profile fail with
    /// ENOSYS (which C libraries fall back from, as glibc does from clone3 to clone) rather than with the default
    /// action: per listed architecture, a number above the highest one the profile names. x86_64 and x32 tell
    /// theirs apart by bit 30, whatever the number's size.
    /// </summary>
    private void EmitEnosysStub(IReadOnlyList<EnosysLimit> limits)
    {
        int main = _asm.NewLabel(), enosys = _asm.NewLabel();
        var groups = limits.GroupBy(l => ArchInfo.Of(l.Arch).AuditArch).ToList();
        var labels = groups.Select(_ => _asm.NewLabel()).ToArray();
        _asm.LoadWord(OffsetArch);
        for (int i = 0; i < groups.Count; i++)
            _asm.Branch(Bpf.JeqK, groups[i].Key, labels[i], BpfAssembler.Next);
        _asm.Jump(main);
        for (int i = 0; i < groups.Count; i++)
        {
            _asm.Place(labels[i]);
            _asm.LoadWord(OffsetNr);
            uint? x86_64 = null, x32 = null, other = null;
            foreach (var l in groups[i])
            {
                if (l.Arch == SeccompArch.X86_64) x86_64 = l.Highest;
                else if (l.Arch == SeccompArch.X32) x32 = l.Highest;
                else other = l.Highest;
            }
            if (other is { } max)
            {
                _asm.Branch(Bpf.JgtK, max, enosys, main);
                continue;
            }
            int x32Mode = x32 is null ? main : _asm.NewLabel();
            int x64Mode = x86_64 is null ? main : _asm.NewLabel();
            _asm.Branch(Bpf.JsetK, ArchInfo.X32SyscallBit, x32Mode, x64Mode);
            if (x32 is { } m32)
            {
                _asm.Place(x32Mode);
                _asm.Branch(Bpf.JgtK, m32, enosys, main);
            }
            if (x86_64 is { } m64)
            {
                _asm.Place(x64Mode);
                _asm.Branch(Bpf.JgtK, m64, enosys, main);
            }
        }
        _asm.Place(enosys);
        _asm.Return(ErrnoEnosys);
        _asm.Place(main);
    }

    private const int OffsetNr = 0;
    private const int OffsetArch = 4;

    private void Emit(IReadOnlyList<ArchBlock> blocks)
    {
        var labels = blocks.Select(_ => _asm.NewLabel()).ToArray();
        _asm.LoadWord(OffsetArch);
        for (int i = 0; i < blocks.Count; i++)
            _asm.Branch(Bpf.JeqK, blocks[i].AuditArch, labels[i], BpfAssembler.Next);
        _asm.Return(_badArch);
        for (int i = 0; i < blocks.Count; i++)
        {
            _asm.Place(labels[i]);
            EmitBlock(blocks[i]);
        }
    }

    private void EmitBlock(ArchBlock block)
    {
        _asm.LoadWord(OffsetNr);
        if (block.HasX86_64 != block.HasX32)
        {
            int dispatch = _asm.NewLabel();
            if (block.HasX86_64)
            {
                // numbers with the x32 bit belong to an architecture the profile does not list, except -1
                int high = _asm.NewLabel();
                _asm.Branch(Bpf.JgeK, ArchInfo.X32SyscallBit, high, dispatch);
                _asm.Place(high);
                int minusOne = _asm.NewLabel(), bad = _asm.NewLabel();
                _asm.Branch(Bpf.JeqK, 0xffffffff, minusOne, bad);
                _asm.Place(minusOne);
                _asm.Return(_default);
                _asm.Place(bad);
                _asm.Return(_badArch);
            }
            else
            {
                int bad = _asm.NewLabel();
                _asm.Branch(Bpf.JgeK, ArchInfo.X32SyscallBit, dispatch, bad);
                _asm.Place(bad);
                _asm.Return(_badArch);
            }
            _asm.Place(dispatch);
        }
        var ranges = Ranges(block.Databases);
        EmitSearch(ranges, 0, ranges.Count - 1);
    }

    /// <summary>A run of syscall numbers [Low, High] with one verdict: an action, the default (Rules and Action null), or a tree.</summary>
    private readonly record struct Range(uint Low, uint High, uint? Action, SyscallRules? Rules);

    private List<Range> Ranges(IReadOnlyList<RuleDatabase> databases)
    {
        // the syscalls with rules in ascending order: each architecture's table is (x32's numbers come after
        // x86_64's, and every rule is for a number of the table)
        int total = 0;
        foreach (var d in databases) total += d.Count;
        var rules = new List<SyscallRules>(total);
        foreach (var d in databases.OrderBy(d => d.Arch.Arch == SeccompArch.X32))
            foreach (int nr in SyscallTables.SortedNumbers(d.Arch.Arch))
                if (d.Find(nr) is { } r) rules.Add(r);
        if (rules.Count != total) throw new InvalidOperationException("seccomp: a rule for a syscall number outside the table");

        var ranges = new List<Range>(total / 2 + 8);
        uint next = 0;
        foreach (var s in rules)
        {
            uint nr = (uint)s.Number;
            if (nr > next) Append(ranges, new Range(next, nr - 1, null, null));
            Append(ranges, s.Chains is null ? new Range(nr, nr, s.Action, null) : new Range(nr, nr, null, s));
            next = nr + 1;
        }
        if (total == 0 || next != 0) Append(ranges, new Range(next, uint.MaxValue, null, null));
        return ranges;
    }

    private void Append(List<Range> list, Range r)
    {
        // an unconditional action equal to the default is the default
        if (r.Rules is null && r.Action == _default) r = r with { Action = null };
        if (list.Count > 0)
        {
            var last = list[^1];
            if (last.Rules is null && r.Rules is null && last.Action == r.Action && last.High + 1 == r.Low)
            {
                list[^1] = last with { High = r.High };
                return;
            }
        }
        list.Add(r);
    }

    /// <summary>The accumulator holds the syscall number; ranges[first..last] cover the numbers left.</summary>
    private void EmitSearch(List<Range> ranges, int first, int last)
    {
        if (first == last)
        {
            var r = ranges[first];
            if (r.Rules is not null) EmitRules(r.Rules);
            else _asm.Return(r.Action ?? _default);
            return;
        }
        int mid = (first + last + 1) / 2;
        int upper = _asm.NewLabel();
        _asm.Branch(Bpf.JgeK, ranges[mid].Low, upper, BpfAssembler.Next);
        EmitSearch(ranges, first, mid - 1);
        _asm.Place(upper);
        EmitSearch(ranges, mid, last);
    }

    private void EmitRules(SyscallRules rules)
    {
        int fallback = _asm.NewLabel();
        EmitLevel(rules.Chains!.LevelStart, fallback);
        _asm.Place(fallback);
        _asm.Return(_default);
    }

    /// <summary>
    /// The nodes of one level in order; a branch without an action or a next level goes on to the next node, and
    /// once the level is exhausted (here or in a level below it) to <paramref name="fallback"/>.
    /// </summary>
    private void EmitLevel(ChainNode start, int fallback)
    {
        for (var node = start; node is not null; node = node.LevelNext)
        {
            int next = node.LevelNext is null ? fallback : _asm.NewLabel();
            int whenTrue = BranchTarget(node.NextTrue, node.HasTrueAction, next);
            int whenFalse = BranchTarget(node.NextFalse, node.HasFalseAction, next);
            _asm.LoadWord(node.Offset);
            if (node.Mask != uint.MaxValue) _asm.And(node.Mask);
            _asm.Branch(node.Op switch { CmpOp.Gt => Bpf.JgtK, CmpOp.Ge => Bpf.JgeK, _ => Bpf.JeqK }, node.Datum, whenTrue, whenFalse);
            EmitBranch(whenTrue, node.NextTrue, node.HasTrueAction, node.TrueAction, next);
            EmitBranch(whenFalse, node.NextFalse, node.HasFalseAction, node.FalseAction, next);
            if (node.LevelNext is not null) _asm.Place(next);
        }
    }

    private int BranchTarget(ChainNode? level, bool hasAction, int next) =>
        level is not null || hasAction ? _asm.NewLabel() : next;

    private void EmitBranch(int label, ChainNode? level, bool hasAction, uint action, int next)
    {
        if (label == next) return;
        _asm.Place(label);
        if (level is not null) EmitLevel(level.LevelStart, next);
        else if (hasAction) _asm.Return(action);
    }
}
