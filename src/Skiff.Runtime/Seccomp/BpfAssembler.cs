using System.Runtime.InteropServices;

namespace Skiff.Runtime.Seccomp;

/// <summary>Classic BPF opcodes (linux/filter.h, linux/bpf_common.h) the filter uses.</summary>
internal static class Bpf
{
    public const ushort LdWAbs = 0x00 | 0x00 | 0x20; // BPF_LD | BPF_W | BPF_ABS
    public const ushort AluAndK = 0x04 | 0x50 | 0x00; // BPF_ALU | BPF_AND | BPF_K
    public const ushort Ja = 0x05 | 0x00; // BPF_JMP | BPF_JA
    public const ushort JeqK = 0x05 | 0x10 | 0x00; // BPF_JMP | BPF_JEQ | BPF_K
    public const ushort JgtK = 0x05 | 0x20 | 0x00;
    public const ushort JgeK = 0x05 | 0x30 | 0x00;
    public const ushort JsetK = 0x05 | 0x40 | 0x00;
    public const ushort RetK = 0x06 | 0x00; // BPF_RET | BPF_K
    /// <summary>BPF_MAXINSNS: the kernel refuses longer filters.</summary>
    public const int MaxInstructions = 4096;
    public const int InstructionSize = 8;
}

/// <summary>
/// Lays out a filter written with symbolic jump targets. Classic BPF only jumps forward, and a conditional jump
/// reaches at most 255 instructions: a branch that reaches further goes through a trampoline placed right after
/// the jump (a copy of the target when it is a return, else an unconditional jump with its 32-bit offset).
/// </summary>
internal sealed class BpfAssembler
{
    private struct Item
    {
        public ushort Code;
        public uint K;
        public int Jt;
        public int Jf;
        public int JaTarget;
    }

    /// <summary>A jump target meaning "the next instruction".</summary>
    public const int Next = -1;

    private List<Item> _items = new(1024);
    private readonly List<int> _labels = new(256);

    public int NewLabel()
    {
        _labels.Add(-1);
        return _labels.Count - 1;
    }

    /// <summary>Binds <paramref name="label"/> to the next instruction emitted.</summary>
    public void Place(int label) => _labels[label] = _items.Count;

    public void LoadWord(int offset) => Add(Bpf.LdWAbs, (uint)offset, Next, Next, -1);
    public void And(uint mask) => Add(Bpf.AluAndK, mask, Next, Next, -1);
    public void Return(uint action) => Add(Bpf.RetK, action, Next, Next, -1);
    public void Jump(int label) => Add(Bpf.Ja, 0, Next, Next, label);

    /// <summary>A conditional jump on the accumulator against <paramref name="k"/>.</summary>
    public void Branch(ushort code, uint k, int whenTrue, int whenFalse) => Add(code, k, whenTrue, whenFalse, -1);

    private void Add(ushort code, uint k, int jt, int jf, int ja) =>
        _items.Add(new Item { Code = code, K = k, Jt = jt, Jf = jf, JaTarget = ja });

    private static bool IsConditional(ushort code) => (code & 0x07) == 0x05 && code != Bpf.Ja;

    /// <summary>The sock_filter array, 8 bytes per instruction in the host's byte order.</summary>
    public byte[] Assemble()
    {
        while (AddTrampolines()) { }
        var program = new byte[_items.Count * Bpf.InstructionSize];
        var span = MemoryMarshal.Cast<byte, SockFilter>(program.AsSpan());
        for (int i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            if (it.Code == Bpf.Ja)
                span[i] = new SockFilter(it.Code, 0, 0, (uint)Offset(i, it.JaTarget));
            else if (IsConditional(it.Code))
                span[i] = new SockFilter(it.Code, (byte)Offset(i, it.Jt), (byte)Offset(i, it.Jf), it.K);
            else
                span[i] = new SockFilter(it.Code, 0, 0, it.K);
        }
        return program;
    }

    private int Offset(int at, int label)
    {
        if (label == Next) return 0;
        int target = _labels[label];
        if (target <= at || target >= _items.Count) throw new InvalidOperationException($"BPF jump from {at} to {target}");
        return target - at - 1;
    }

    /// <summary>Adds a trampoline after every conditional jump whose target is out of reach; true if any was added.</summary>
    private bool AddTrampolines()
    {
        List<Item>? rebuilt = null;
        int[]? newIndex = null;
        for (int i = 0; i < _items.Count; i++)
        {
            var it = _items[i];
            bool farTrue = IsConditional(it.Code) && Offset(i, it.Jt) > 255;
            bool farFalse = IsConditional(it.Code) && Offset(i, it.Jf) > 255;
            if (rebuilt is null)
            {
                if (!farTrue && !farFalse) continue;
                rebuilt = new List<Item>(_items.Count + 64);
                newIndex = new int[_items.Count + 1];
                for (int j = 0; j < i; j++) { rebuilt.Add(_items[j]); newIndex[j] = j; }
            }
            newIndex![i] = rebuilt.Count;
            int trueTarget = it.Jt, falseTarget = it.Jf;
            if (farTrue || farFalse)
            {
                // "the next instruction" must still mean the one that followed before the trampolines went in
                if (it.Jt == Next) it.Jt = LabelAt(i + 1);
                if (it.Jf == Next) it.Jf = LabelAt(i + 1);
            }
            if (farTrue) it.Jt = NewLabel();
            if (farFalse) it.Jf = NewLabel();
            rebuilt.Add(it);
            if (farTrue) { _labels[it.Jt] = -2 - rebuilt.Count; rebuilt.Add(Trampoline(trueTarget)); }
            if (farFalse) { _labels[it.Jf] = -2 - rebuilt.Count; rebuilt.Add(Trampoline(falseTarget)); }
        }
        if (rebuilt is null) return false;
        newIndex![_items.Count] = rebuilt.Count;
        // labels placed before this pass move with their instruction; the new ones (encoded as -2 - index) already
        // hold their new index
        for (int l = 0; l < _labels.Count; l++)
            _labels[l] = _labels[l] <= -2 ? -2 - _labels[l] : newIndex[_labels[l]];
        _items = rebuilt;
        return true;
    }

    /// <summary>A new label on the instruction now at <paramref name="index"/> (moved with it by the pass).</summary>
    private int LabelAt(int index)
    {
        int label = NewLabel();
        _labels[label] = index;
        return label;
    }

    private Item Trampoline(int label)
    {
        var target = _items[_labels[label]];
        return target.Code == Bpf.RetK
            ? target
            : new Item { Code = Bpf.Ja, K = 0, Jt = Next, Jf = Next, JaTarget = label };
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct SockFilter(ushort code, byte jt, byte jf, uint k)
    {
        public readonly ushort Code = code;
        public readonly byte Jt = jt;
        public readonly byte Jf = jf;
        public readonly uint K = k;
    }
}
