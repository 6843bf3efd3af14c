namespace Skiff.Runtime.Seccomp;

/// <summary>Lookups in the generated tables (SyscallTables.g.cs): a name's row, and its number in a column.</summary>
internal static partial class SyscallTables
{
    private static Dictionary<string, int>? _rows;

    /// <summary>The name's row, or -1 when no table knows it.</summary>
    public static int Row(string name)
    {
        var rows = _rows ??= BuildRows();
        return rows.TryGetValue(name, out int row) ? row : -1;
    }

    private static Dictionary<string, int> BuildRows()
    {
        var rows = new Dictionary<string, int>(Names.Length, StringComparer.Ordinal);
        for (int i = 0; i < Names.Length; i++) rows[Names[i]] = i;
        return rows;
    }

    public static int RowCount => Names.Length;

    public static string NameOf(int row) => Names[row];

    /// <summary>The number of row <paramref name="row"/> on <paramref name="arch"/>, or -1.</summary>
    public static int Number(SeccompArch arch, int row) => row < 0 ? -1 : Column(arch)[row];

    private static ReadOnlySpan<int> Column(SeccompArch arch) => arch switch
    {
        SeccompArch.X86_64 => X86_64Numbers,
        SeccompArch.X86 => X86Numbers,
        SeccompArch.X32 => X32Numbers,
        SeccompArch.Aarch64 => Aarch64Numbers,
        _ => ArmNumbers,
    };

    private static readonly int[]?[] _sorted = new int[]?[5];

    /// <summary>The numbers of one architecture's syscalls in ascending order (computed once).</summary>
    public static int[] SortedNumbers(SeccompArch arch)
    {
        ref var sorted = ref _sorted[(int)arch];
        if (sorted is null)
        {
            var column = Column(arch);
            var list = new List<int>(column.Length);
            foreach (int nr in column) if (nr >= 0) list.Add(nr);
            list.Sort();
            sorted = [.. list];
        }
        return sorted;
    }

    /// <summary>Every (name, number) of one architecture, in number order.</summary>
    public static (string Name, int Number)[] Entries(SeccompArch arch)
    {
        var column = Column(arch);
        var list = new List<(string, int)>();
        for (int i = 0; i < Names.Length; i++)
            if (column[i] >= 0) list.Add((Names[i], column[i]));
        return [.. list.OrderBy(e => e.Item2).ThenBy(e => e.Item1, StringComparer.Ordinal)];
    }
}
