namespace Skiff.Runtime.Cgroups.Devices;

/// <summary>
/// Builds the eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) that enforces device rules on cgroup v2, from the
/// emulator's clean rule list so that it decides as the v1 controller would (the scheme of crun's ebpf.c
/// and runc's devicefilter): R2 = device type, R3 = requested access, R4 = major, R5 = minor; one block
/// per exception, first match wins, then the default. An allow block matches when the rule grants all
/// of the requested access; a deny block when it names any of it.
/// </summary>
public static class DeviceFilterProgram
{
    public const string License = "Apache";

    // struct bpf_cgroup_dev_ctx { u32 access_type (type | access << 16); u32 major; u32 minor; }
    public const int DevBlock = 1, DevChar = 2;
    public const int AccMknod = 1, AccRead = 2, AccWrite = 4;

    // Opcodes (class | op | source).
    public const byte LdxMemW = 0x61, Alu32AndK = 0x54, Alu32RshK = 0x74, Alu32MovK = 0xb4, Alu32MovX = 0xbc,
        JmpJneK = 0x55, JmpJneX = 0x5d, JmpJeqK = 0x15, JmpExit = 0x95;

    public static byte[] Build(IEnumerable<DeviceRule> rules)
    {
        var emu = DeviceEmulator.FromRules(rules);
        var insns = new List<Insn>
        {
            new(LdxMemW, 2, 1, 0, 0), new(Alu32AndK, 2, 0, 0, 0xFFFF), // R2 = type
            new(LdxMemW, 3, 1, 0, 0), new(Alu32RshK, 3, 0, 0, 16),     // R3 = access
            new(LdxMemW, 4, 1, 4, 0),                                  // R4 = major
            new(LdxMemW, 5, 1, 8, 0),                                  // R5 = minor
        };
        foreach (var rule in emu.Exceptions()) insns.AddRange(Block(rule));
        insns.Add(new Insn(Alu32MovK, 0, 0, 0, emu.DefaultAllow ? 1 : 0));
        insns.Add(new Insn(JmpExit, 0, 0, 0, 0));
        var bytes = new byte[insns.Count * 8];
        for (int i = 0; i < insns.Count; i++) insns[i].Encode(bytes.AsSpan(i * 8));
        return bytes;
    }

    private static List<Insn> Block(DeviceRule rule)
    {
        int access = ((rule.Access & DeviceAccess.Mknod) != 0 ? AccMknod : 0) | ((rule.Access & DeviceAccess.Read) != 0 ? AccRead : 0) |
            ((rule.Access & DeviceAccess.Write) != 0 ? AccWrite : 0);
        // Each test is "if not matching, go to the next block": offsets are filled in once the block's length is known.
        var tests = new List<(byte Code, byte Dst, byte Src, int Imm)> { (JmpJneK, 2, 0, rule.Type == 'b' ? DevBlock : DevChar) };
        if (rule.Allow)
        {
            if (access != (AccMknod | AccRead | AccWrite))
            {
                tests.Add((Alu32MovX, 1, 3, 0));       // R1 = R3
                tests.Add((Alu32AndK, 1, 0, access));   // R1 &= access
                tests.Add((JmpJneX, 1, 3, 0));          // requested access not all granted: next
            }
        }
        else
        {
            tests.Add((Alu32MovX, 1, 3, 0));
            tests.Add((Alu32AndK, 1, 0, access));
            tests.Add((JmpJeqK, 1, 0, 0));              // none of the requested access named: next
        }
        if (rule.Major >= 0) tests.Add((JmpJneK, 4, 0, unchecked((int)(uint)rule.Major)));
        if (rule.Minor >= 0) tests.Add((JmpJneK, 5, 0, unchecked((int)(uint)rule.Minor)));
        int length = tests.Count + 2;
        var block = new List<Insn>();
        for (int i = 0; i < tests.Count; i++)
        {
            var (code, dst, src, imm) = tests[i];
            bool jump = code is JmpJneK or JmpJneX or JmpJeqK;
            block.Add(new Insn(code, dst, src, jump ? (short)(length - i - 1) : (short)0, imm));
        }
        block.Add(new Insn(Alu32MovK, 0, 0, 0, rule.Allow ? 1 : 0));
        block.Add(new Insn(JmpExit, 0, 0, 0, 0));
        return block;
    }

    /// <summary>One eBPF instruction: opcode, destination and source registers, offset, immediate.</summary>
    public readonly record struct Insn(byte Code, byte Dst, byte Src, short Off, int Imm)
    {
        public void Encode(Span<byte> b)
        {
            b[0] = Code;
            b[1] = (byte)((Src << 4) | Dst);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(b[2..], Off);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b[4..], Imm);
        }

        public static Insn Decode(ReadOnlySpan<byte> b) =>
            new(b[0], (byte)(b[1] & 0xf), (byte)(b[1] >> 4), System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(b[2..]),
                System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(b[4..]));
    }
}
