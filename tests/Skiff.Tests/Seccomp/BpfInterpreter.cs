using System.Buffers.Binary;

namespace Skiff.Tests.Seccomp;

/// <summary>The seccomp_data a filter sees (linux/seccomp.h).</summary>
public readonly record struct SeccompData(uint Nr, uint Arch, ulong InstructionPointer, ulong[] Args)
{
    public static SeccompData Of(uint arch, uint nr, params ulong[] args)
    {
        var a = new ulong[6];
        args.CopyTo(a, 0);
        return new SeccompData(nr, arch, 0, a);
    }

    public byte[] Bytes()
    {
        var b = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0), Nr);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), Arch);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), InstructionPointer);
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16 + 8 * i), Args[i]);
        return b;
    }
}

/// <summary>
/// Runs a classic BPF seccomp program the way the kernel does (the instructions a seccomp filter may use), and checks
/// what the kernel's verifier checks: every jump forward and inside the program, loads aligned and inside
/// seccomp_data, the program ending on a return.
/// </summary>
public static class BpfInterpreter
{
    public static uint Run(byte[] program, SeccompData data) => Run(program, data.Bytes(), out _);

    public static uint Run(byte[] program, byte[] data, out int executed)
    {
        Assert.True(program.Length % 8 == 0 && program.Length > 0, "a program is a non-empty array of 8-byte instructions");
        int count = program.Length / 8;
        Assert.True(count <= 4096, $"{count} instructions, more than BPF_MAXINSNS");
        uint a = 0, x = 0;
        var mem = new uint[16];
        executed = 0;
        int pc = 0;
        while (true)
        {
            Assert.True(pc < count, $"ran off the end of the program at {pc}");
            executed++;
            var insn = program.AsSpan(pc * 8, 8);
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(insn);
            byte jt = insn[2], jf = insn[3];
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(insn[4..]);
            pc++;
            switch (code)
            {
                case 0x20: // ld [k]
                    Assert.True(k % 4 == 0 && k + 4 <= data.Length, $"bad load offset {k}");
                    a = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)k));
                    break;
                case 0x00: a = k; break; // ld #k
                case 0x01: x = k; break; // ldx #k
                case 0x02: mem[k] = a; break; // st
                case 0x03: mem[k] = x; break; // stx
                case 0x60: a = mem[k]; break; // ld M[k]
                case 0x61: x = mem[k]; break; // ldx M[k]
                case 0x80: a = (uint)data.Length; break; // ld #len
                case 0x07: x = a; break; // tax
                case 0x87: a = x; break; // txa
                case 0x54: a &= k; break; // and #k
                case 0x44: a |= k; break; // or #k
                case 0x04: a += k; break; // add #k
                case 0x14: a -= k; break; // sub #k
                case 0x74: a >>= (int)k; break; // rsh #k
                case 0x64: a <<= (int)k; break; // lsh #k
                case 0x05: // ja
                    Assert.True(pc + (long)k < count, "ja out of the program");
                    pc += (int)k;
                    break;
                case 0x15: pc += a == k ? jt : jf; break; // jeq #k
                case 0x25: pc += a > k ? jt : jf; break; // jgt #k
                case 0x35: pc += a >= k ? jt : jf; break; // jge #k
                case 0x45: pc += (a & k) != 0 ? jt : jf; break; // jset #k
                case 0x1d: pc += a == x ? jt : jf; break; // jeq x
                case 0x2d: pc += a > x ? jt : jf; break;
                case 0x3d: pc += a >= x ? jt : jf; break;
                case 0x06: return k; // ret #k
                case 0x16: return a; // ret a
                default:
                    Assert.Fail($"instruction {pc - 1}: opcode 0x{code:x2} is not allowed in a seccomp filter here");
                    return 0;
            }
        }
    }

    /// <summary>Every jump lands inside the program, forward (the kernel's check at load time).</summary>
    public static void Verify(byte[] program)
    {
        int count = program.Length / 8;
        Assert.InRange(count, 1, 4096);
        for (int pc = 0; pc < count; pc++)
        {
            var insn = program.AsSpan(pc * 8, 8);
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(insn);
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(insn[4..]);
            if (code == 0x05) Assert.True(pc + 1 + (long)k < count, $"ja at {pc} leaves the program");
            else if ((code & 0x07) == 0x05)
            {
                Assert.True(pc + 1 + insn[2] < count, $"jt at {pc} leaves the program");
                Assert.True(pc + 1 + insn[3] < count, $"jf at {pc} leaves the program");
            }
        }
        ushort last = BinaryPrimitives.ReadUInt16LittleEndian(program.AsSpan((count - 1) * 8));
        Assert.True(last is 0x06 or 0x16 or 0x05, "the program must end on a return or jump");
    }
}

public static class BpfText
{
    /// <summary>A listing of a program, one instruction a line, jump targets as absolute indexes.</summary>
    public static string Disassemble(byte[] program)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < program.Length / 8; i++)
        {
            var p = program.AsSpan(i * 8);
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(p);
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(p[4..]);
            string text = code switch
            {
                0x20 => $"ld [{k}]",
                0x54 => $"and 0x{k:x}",
                0x05 => $"ja {i + 1 + k}",
                0x15 => $"jeq 0x{k:x} {i + 1 + p[2]} {i + 1 + p[3]}",
                0x25 => $"jgt 0x{k:x} {i + 1 + p[2]} {i + 1 + p[3]}",
                0x35 => $"jge 0x{k:x} {i + 1 + p[2]} {i + 1 + p[3]}",
                0x06 => $"ret 0x{k:x}",
                _ => $"op 0x{code:x} {p[2]} {p[3]} 0x{k:x}",
            };
            sb.Append(i).Append(": ").AppendLine(text);
        }
        return sb.ToString();
    }
}
