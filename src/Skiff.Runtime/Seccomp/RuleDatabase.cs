using System.Runtime.InteropServices;

namespace Skiff.Runtime.Seccomp;

/// <summary>Argument comparison operators, numbered as libseccomp numbers them.</summary>
internal enum CmpOp : byte
{
    Ne = 1,
    Lt = 2,
    Le = 3,
    Eq = 4,
    Ge = 5,
    Gt = 6,
    MaskedEq = 7,
}

/// <summary>One argument condition of a rule: the full 64-bit mask and datum (MASKED_EQ: (arg &amp; Mask) == Datum).</summary>
internal readonly record struct ArgCondition(int Arg, CmpOp Op, ulong Mask, ulong Datum);

/// <summary>
/// One 32-bit comparison in a syscall's decision tree. Nodes compared at the same point form a level (a sibling
/// list ordered as libseccomp orders it); each node leads, when its comparison is true and when it is false, to an
/// action, to a node of the next level, or to nothing (the next sibling, then whatever follows the level).
/// </summary>
internal sealed class ChainNode
{
    public int Arg;
    public bool High;
    public int Offset;
    /// <summary>The comparison the filter makes: EQ, MASKED_EQ, GT or GE (NE, LT and LE become their complement).</summary>
    public CmpOp Op;
    /// <summary>The rule's own operator (orders the nodes of a level).</summary>
    public CmpOp OpOrig;
    public uint Mask;
    public uint Datum;
    public ulong DatumFull;
    public ChainNode? NextTrue;
    public ChainNode? NextFalse;
    public bool HasTrueAction;
    public bool HasFalseAction;
    public uint TrueAction;
    public uint FalseAction;
    public ChainNode? LevelPrev;
    public ChainNode? LevelNext;
    /// <summary>Unlinked from the tree while pruning.</summary>
    public bool Removed;

    public bool IsLeaf => NextTrue is null && NextFalse is null;
    public bool IsZombie => IsLeaf && !HasTrueAction && !HasFalseAction;

    public ChainNode LevelStart
    {
        get
        {
            var n = this;
            for (int steps = 0; n.LevelPrev is not null; steps++)
            {
                if (steps > MaxLevel) throw new TangledRulesException();
                n = n.LevelPrev;
            }
            return n;
        }
    }

    /// <summary>More nodes than a level can hold (6 arguments, 3 nodes each, a few thousand rules): a cycle.</summary>
    public const int MaxLevel = 1 << 16;
}

/// <summary>The rules of one syscall on one architecture: an unconditional action, or a decision tree.</summary>
internal sealed class SyscallRules(int number)
{
    public int Number { get; } = number;
    /// <summary>The tree (a node of its top level), or null when <see cref="Action"/> applies unconditionally.</summary>
    public ChainNode? Chains;
    public uint Action;
}

/// <summary>
/// Rules libseccomp cannot merge: a new chain's node shared by two of its branches (a NE, LT, LE, GT or GE test
/// followed by a test on another argument) would be linked into a level twice. libseccomp 2.5 then corrupts its
/// tree and, in the cases seen, loops forever, so runc never starts the container; the filter refuses it instead.
/// </summary>
internal sealed class TangledRulesException : Exception
{
    public TangledRulesException() { }
    public TangledRulesException(string message) : base(message) { }
    public TangledRulesException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A rule refused because it contradicts an earlier one (libseccomp's EEXIST).</summary>
internal sealed class RuleConflictException : Exception
{
    public RuleConflictException() { }
    public RuleConflictException(string message) : base(message) { }
    public RuleConflictException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The rules of one architecture, merged the way libseccomp 2.5 (which runc and crun build their filters with)
/// merges them, so that a profile means the same here as under runc: for one syscall, an unconditional rule
/// replaces any conditional ones before it and a later rule for a syscall that already has an unconditional one is
/// dropped; conditional rules become chains of 32-bit comparisons (argument 0 first; a 64-bit argument as its high
/// then its low word) merged into one tree whose levels are ordered by argument (highest first), operator and
/// value; equal comparisons are shared, a shorter chain absorbs a longer one with the same action, and two rules
/// that end on the same comparison with different actions are refused (libseccomp's EEXIST, an error in runc).
/// The filter evaluates a level's nodes in order and falls through to the next node whenever a branch ends
/// without an action or a level below is exhausted (see <see cref="FilterCodegen"/>).
/// </summary>
internal sealed class RuleDatabase(ArchInfo arch)
{
    public ArchInfo Arch { get; } = arch;
    private readonly Dictionary<int, SyscallRules> _syscalls = new(512);

    /// <summary>Rules for syscalls this architecture lacks, kept only to refuse the conflicts libseccomp refuses.</summary>
    private readonly Dictionary<int, SyscallRules> _absent = [];

    public int Count => _syscalls.Count;

    /// <summary>The rules of a syscall number, or null.</summary>
    public SyscallRules? Find(int syscall) => _syscalls.GetValueOrDefault(syscall);

    /// <summary>Adds a rule (libseccomp's db_rule_add); throws <see cref="RuleConflictException"/> on a conflict.</summary>
    public void Add(int syscall, uint action, ReadOnlySpan<ArgCondition> conditions)
    {
        ref var s = ref CollectionsMarshal.GetValueRefOrAddDefault(_syscalls, syscall, out _);
        s = Add(s, syscall, action, conditions);
    }

    /// <summary>
    /// A rule for a syscall this architecture does not have (by its table row). It never matches a call, but libseccomp keeps it under
    /// a pseudo number (except on x86, which drops it), so two such rules can conflict there and fail the profile
    /// under runc: this records it to fail the same way.
    /// </summary>
    public void AddAbsent(int row, uint action, ReadOnlySpan<ArgCondition> conditions)
    {
        ref var s = ref CollectionsMarshal.GetValueRefOrAddDefault(_absent, row, out _);
        s = Add(s, -1, action, conditions);
    }

    /// <summary>The rules of a syscall (<paramref name="s"/>, null when it has none yet) with one more.</summary>
    private SyscallRules Add(SyscallRules? s, int syscall, uint action, ReadOnlySpan<ArgCondition> conditions)
    {
        if (conditions.IsEmpty)
        {
            // the common case, and the simple one: a first rule, or an unconditional rule meeting what is there
            if (s is null) return new SyscallRules(syscall) { Action = action };
            if (s.Chains is not null) { s.Chains = null; s.Action = action; }
            return s;
        }
        var chains = Arch.Is64 ? Chain64(action, conditions) : Chain32(action, conditions);
        if (s is null) return new SyscallRules(syscall) { Chains = chains, Action = action };
        bool pruned = false;
        while (true)
        {
            if (s.Chains is null)
            {
                // An unconditional rule is at least as wide as any other: it stays, unless pruning emptied the tree.
                if (pruned) { s.Chains = chains; s.Action = action; }
                return s;
            }
            if (chains is null)
            {
                s.Chains = null;
                s.Action = action;
                return s;
            }
            var state = new PruneState { Action = action, Rules = s };
            int removed = Prune(ref s.Chains, chains, state);
            if (removed > 0)
            {
                pruned = true;
                if (s.Chains is null) continue;
            }
            else if ((state.Flags & Redundant) == Redundant)
                return s;
            break;
        }
        TreeAdd(ref s.Chains!, chains);
        return s;
    }

    // ---- chains for a new rule ----

    private ChainNode? Chain64(uint action, ReadOnlySpan<ArgCondition> conditions)
    {
        ChainNode? head = null;
        var prev = new List<ChainNode>(2);
        bool onTrue = false;
        foreach (var c in Sorted(conditions))
        {
            // MASKED_EQ with a zero mask is dropped as always true, whatever its value (as libseccomp does)
            if (c.Op == CmpOp.MaskedEq && c.Mask == 0) continue;
            uint maskHi = (uint)(c.Mask >> 32), maskLo = (uint)c.Mask;
            uint datumHi = (uint)(c.Datum >> 32) & maskHi, datumLo = (uint)c.Datum & maskLo;
            ChainNode first;
            switch (c.Op)
            {
                case CmpOp.Gt or CmpOp.Ge or CmpOp.Le or CmpOp.Lt:
                {
                    // hi > R.hi decides; else hi == R.hi and then the low word decides
                    var above = Node(c, true, CmpOp.Gt, maskHi, datumHi);
                    var equal = Node(c, true, CmpOp.Eq, maskHi, datumHi);
                    var low = Node(c, false, c.Op is CmpOp.Gt or CmpOp.Le ? CmpOp.Gt : CmpOp.Ge, maskLo, datumLo);
                    above.NextFalse = equal;
                    equal.NextTrue = low;
                    first = above;
                    Link(prev, onTrue, first);
                    if (c.Op is CmpOp.Gt or CmpOp.Ge) { prev.Add(above); prev.Add(low); onTrue = true; }
                    else { prev.Add(equal); prev.Add(low); onTrue = false; }
                    break;
                }
                default:
                {
                    var op = c.Op == CmpOp.MaskedEq ? CmpOp.MaskedEq : CmpOp.Eq;
                    var hi = Node(c, true, op, maskHi, datumHi);
                    var lo = Node(c, false, op, maskLo, datumLo);
                    hi.NextTrue = lo;
                    first = hi;
                    Link(prev, onTrue, first);
                    if (c.Op == CmpOp.Ne) { prev.Add(hi); prev.Add(lo); onTrue = false; }
                    else { prev.Add(lo); onTrue = true; }
                    break;
                }
            }
            head ??= first;
        }
        SetActions(prev, onTrue, action);
        return head;
    }

    private static ChainNode? Chain32(uint action, ReadOnlySpan<ArgCondition> conditions)
    {
        ChainNode? head = null;
        var prev = new List<ChainNode>(1);
        bool onTrue = false;
        foreach (var c in Sorted(conditions))
        {
            if (c.Op == CmpOp.MaskedEq && (uint)c.Mask == 0) continue; // always true, as libseccomp has it
            var (op, tf) = c.Op switch
            {
                CmpOp.Ne => (CmpOp.Eq, false),
                CmpOp.Lt => (CmpOp.Ge, false),
                CmpOp.Le => (CmpOp.Gt, false),
                _ => (c.Op, true),
            };
            // a 32-bit architecture compares the low word only: the mask and datum lose their high halves
            var node = Node(c, false, op, (uint)c.Mask, (uint)c.Datum & (uint)c.Mask);
            Link(prev, onTrue, node);
            prev.Add(node);
            onTrue = tf;
            head ??= node;
        }
        SetActions(prev, onTrue, action);
        return head;
    }

    private static ArgCondition[] Sorted(ReadOnlySpan<ArgCondition> conditions)
    {
        var sorted = conditions.ToArray();
        Array.Sort(sorted, static (a, b) => a.Arg.CompareTo(b.Arg));
        return sorted;
    }

    private static ChainNode Node(ArgCondition c, bool high, CmpOp op, uint mask, uint datum) => new()
    {
        Arg = c.Arg,
        High = high,
        Offset = high ? ArchInfo.ArgHighOffset(c.Arg) : ArchInfo.ArgLowOffset(c.Arg),
        Op = op,
        OpOrig = c.Op,
        Mask = mask,
        Datum = datum,
        DatumFull = c.Datum,
    };

    private static void Link(List<ChainNode> prev, bool onTrue, ChainNode next)
    {
        foreach (var p in prev)
        {
            if (onTrue) p.NextTrue = next;
            else p.NextFalse = next;
        }
        prev.Clear();
    }

    private static void SetActions(List<ChainNode> prev, bool onTrue, uint action)
    {
        foreach (var p in prev)
        {
            if (onTrue) { p.HasTrueAction = true; p.TrueAction = action; }
            else { p.HasFalseAction = true; p.FalseAction = action; }
        }
    }

    // ---- ordering of a level ----

    private static int ArgPriority(ChainNode n) => (n.Arg << 1) + (n.High ? 1 : 0);

    private static int OpPriority(CmpOp op) => op switch
    {
        CmpOp.MaskedEq or CmpOp.Eq or CmpOp.Ne => 3,
        CmpOp.Le or CmpOp.Lt => 2,
        CmpOp.Ge or CmpOp.Gt => 1,
        _ => 0,
    };

    /// <summary>a sorts after b on a level (levels run from the greatest node to the least).</summary>
    private static bool Less(ChainNode a, ChainNode b)
    {
        int aa = ArgPriority(a), ba = ArgPriority(b);
        if (aa != ba) return aa < ba;
        int ao = OpPriority(a.OpOrig), bo = OpPriority(b.OpOrig);
        if (ao != bo) return ao < bo;
        return a.OpOrig is CmpOp.Le or CmpOp.Lt ? a.Datum > b.Datum : a.Datum < b.Datum;
    }

    private static bool Same(ChainNode a, ChainNode b) =>
        ArgPriority(a) == ArgPriority(b) && a.Op == b.Op && a.Datum == b.Datum && a.Mask == b.Mask;

    // ---- merging ----

    /// <summary>Every action in the level of <paramref name="tree"/> and below it equals <paramref name="action"/>.</summary>
    private static bool AllActionsAre(ChainNode? tree, uint action)
    {
        for (var n = tree?.LevelStart; n is not null; n = n.LevelNext)
        {
            if (n.HasTrueAction && n.TrueAction != action) return false;
            if (n.HasFalseAction && n.FalseAction != action) return false;
            if (!AllActionsAre(n.NextTrue, action) || !AllActionsAre(n.NextFalse, action)) return false;
        }
        return true;
    }

    /// <summary>Merges the new chain <paramref name="n"/> into the level <paramref name="existing"/> points at.</summary>
    private static void TreeAdd(ref ChainNode existing, ChainNode n)
    {
        var x = existing;
        for (int steps = 0; ; steps++)
        {
            if (steps > ChainNode.MaxLevel) throw new TangledRulesException();
            if (Same(x, n))
            {
                MergeBranch(x, n, true);
                MergeBranch(x, n, false);
                if (n.NextTrue is not null)
                {
                    if (x.NextTrue is not null) TreeAdd(ref x.NextTrue, n.NextTrue);
                    else if (!x.HasTrueAction) x.NextTrue = n.NextTrue;
                    else return; // the existing chain is shorter
                }
                if (n.NextFalse is not null)
                {
                    if (x.NextFalse is not null) TreeAdd(ref x.NextFalse, n.NextFalse);
                    else if (!x.HasFalseAction) x.NextFalse = n.NextFalse;
                    else return;
                }
                return;
            }
            if (!Less(x, n))
            {
                if (x.LevelNext is null)
                {
                    if (n.LevelPrev is not null || n.LevelNext is not null) throw new TangledRulesException();
                    n.LevelPrev = x;
                    x.LevelNext = n;
                    return;
                }
                x = x.LevelNext;
                continue;
            }
            // n goes before x
            if (n.LevelPrev is not null || n.LevelNext is not null) throw new TangledRulesException();
            n.LevelPrev = x.LevelPrev;
            if (x.LevelPrev is not null) x.LevelPrev.LevelNext = n;
            x.LevelPrev = n;
            n.LevelNext = x;
            if (existing == x) existing = n;
            return;
        }
    }

    private static void MergeBranch(ChainNode x, ChainNode n, bool branch)
    {
        bool nHas = branch ? n.HasTrueAction : n.HasFalseAction;
        if (!nHas) return;
        uint nAction = branch ? n.TrueAction : n.FalseAction;
        bool xHas = branch ? x.HasTrueAction : x.HasFalseAction;
        if (!xHas)
        {
            // the new chain ends here: it replaces what the existing one continues with, if that agrees
            if (!AllActionsAre(branch ? x.NextTrue : x.NextFalse, nAction))
                throw new RuleConflictException();
            if (branch) { x.NextTrue = null; x.TrueAction = nAction; x.HasTrueAction = true; }
            else { x.NextFalse = null; x.FalseAction = nAction; x.HasFalseAction = true; }
            return;
        }
        uint xAction = branch ? x.TrueAction : x.FalseAction;
        if (xAction == nAction) return;
        // a 64-bit range comparison sharing its high word with another: the greater (true branch) or the
        // lesser (false branch) full value decides the action libseccomp keeps on the true branch
        if (n.High && (branch ? n.DatumFull > x.DatumFull : n.DatumFull < x.DatumFull))
            x.TrueAction = n.TrueAction;
        if (x.IsLeaf || n.IsLeaf) throw new RuleConflictException();
    }

    // ---- pruning (libseccomp drops what a new rule makes redundant before merging it) ----

    private const uint Match = 0x1, MatchOnce = 0x2, XFinished = 0x10, NFinished = 0x20, XPrefix = 0x100, NPrefix = 0x200;
    private const uint MatchSet = Match | MatchOnce;
    private const uint Redundant = Match | XFinished | NPrefix;

    private sealed class PruneState
    {
        public uint Flags;
        public uint Action;
        public required SyscallRules Rules;
        public PruneState With(uint set, uint clear = 0) => new() { Flags = (Flags & ~clear) | set, Action = Action, Rules = Rules };
    }

    private static int Prune(ref ChainNode? existing, ChainNode? n, PruneState state)
    {
        int count = 0;
        var stateNew = state.With(0);
        if (n is null || existing is null || (state.Flags & MatchSet) == MatchOnce)
            return Finish(state, stateNew, count);
        var x = existing.LevelStart;
        do
        {
            var xNext = x.LevelNext;
            if (Same(x, n))
            {
                stateNew.Flags |= MatchSet;
                if (n.IsLeaf) stateNew.Flags |= NFinished;
                if (x.IsLeaf) stateNew.Flags |= XFinished;
                if ((x.HasTrueAction || x.NextTrue is not null) && !(n.HasTrueAction || n.NextTrue is not null))
                    return Finish(state, stateNew, count);
                if ((x.HasFalseAction || x.NextFalse is not null) && !(n.HasFalseAction || n.NextFalse is not null))
                    return Finish(state, stateNew, count);
                if ((stateNew.Flags & NFinished) != 0 && (stateNew.Flags & XFinished) != 0
                    && (n.HasTrueAction != x.HasTrueAction || n.TrueAction != x.TrueAction
                        || n.HasFalseAction != x.HasFalseAction || n.FalseAction != x.FalseAction))
                    return Finish(state, stateNew, count);
                bool gone = false;
                if (n.NextTrue is not null)
                {
                    var next = state.With(MatchSet);
                    count += Prune(ref x.NextTrue, n.NextTrue, next);
                    if ((next.Flags & Match) != 0) stateNew.Flags |= next.Flags;
                    gone = x.Removed;
                }
                if (!gone && n.NextFalse is not null)
                {
                    var next = state.With(MatchSet);
                    count += Prune(ref x.NextFalse, n.NextFalse, next);
                    if ((next.Flags & Match) != 0) stateNew.Flags |= next.Flags;
                    gone = x.Removed;
                }
                if (!gone)
                {
                    bool agree = AllActionsAre(x, stateNew.Action) && (stateNew.Flags & Match) != 0;
                    if (agree && (stateNew.Flags & NFinished) != 0 && (stateNew.Flags & XPrefix) != 0)
                    {
                        // the new chain is shorter: the existing, longer one goes
                        count += TreeRemove(ref state.Rules.Chains, x);
                        if (state.Rules.Chains is null) return Finish(state, stateNew, count);
                    }
                    else if (agree && (stateNew.Flags & XFinished) != 0 && (stateNew.Flags & NPrefix) != 0)
                        return Finish(state, stateNew, count); // the new chain is longer
                }
            }
            else if (Less(x, n))
            {
                if ((state.Flags & NPrefix) != 0) return Finish(state, stateNew, count);
                bool gone = false;
                if (x.NextTrue is not null)
                {
                    var next = state.With(XPrefix, Match);
                    count += Prune(ref x.NextTrue, n, next);
                    if ((next.Flags & Match) != 0) { stateNew.Flags |= next.Flags; return Finish(state, stateNew, count); }
                    gone = x.Removed;
                }
                if (!gone && x.NextFalse is not null)
                {
                    var next = state.With(XPrefix, Match);
                    count += Prune(ref x.NextFalse, n, next);
                    if ((next.Flags & Match) != 0) { stateNew.Flags |= next.Flags; return Finish(state, stateNew, count); }
                }
            }
            else
            {
                if ((state.Flags & XPrefix) != 0) return Finish(state, stateNew, count);
                bool gone = false;
                if (n.NextTrue is not null)
                {
                    var next = state.With(NPrefix, Match);
                    ChainNode? xRef = x;
                    count += Prune(ref xRef, n.NextTrue, next);
                    if ((next.Flags & Match) != 0) { stateNew.Flags |= next.Flags; return Finish(state, stateNew, count); }
                    gone = x.Removed;
                }
                if (!gone && n.NextFalse is not null)
                {
                    var next = state.With(NPrefix, Match);
                    ChainNode? xRef = x;
                    count += Prune(ref xRef, n.NextFalse, next);
                    if ((next.Flags & Match) != 0) { stateNew.Flags |= next.Flags; return Finish(state, stateNew, count); }
                }
            }
            x = xNext!;
        } while (x is not null);
        stateNew.Flags &= ~Match;
        return Finish(state, stateNew, count);
    }

    private static int Finish(PruneState state, PruneState stateNew, int count)
    {
        if ((stateNew.Flags & Match) != 0) state.Flags |= stateNew.Flags;
        else state.Flags &= ~Match;
        return count;
    }

    /// <summary>Unlinks <paramref name="node"/> from the tree, and with it every node left without an action or a way on.</summary>
    private static int TreeRemove(ref ChainNode? tree, ChainNode node)
    {
        if (tree is null) return 0;
        int count = 0;
        var c = tree.LevelStart;
        do
        {
            if (c == node || Descend(c, node, ref count))
            {
                if (c == tree) tree = c.LevelPrev ?? c.LevelNext;
                if (c.LevelPrev is not null) c.LevelPrev.LevelNext = c.LevelNext;
                if (c.LevelNext is not null) c.LevelNext.LevelPrev = c.LevelPrev;
                c.LevelPrev = c.LevelNext = null;
                c.Removed = true;
                return count + 1;
            }
            c = c.LevelNext;
        } while (c is not null && count == 0);
        return count;

        static bool Descend(ChainNode c, ChainNode node, ref int count)
        {
            count += TreeRemove(ref c.NextTrue, node);
            count += TreeRemove(ref c.NextFalse, node);
            return c.IsZombie;
        }
    }
}
