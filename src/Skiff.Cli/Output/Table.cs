using System.Text;

namespace Skiff.Cli.Output;

/// <summary>
/// Aligned columns as podman prints them (Go's tabwriter with minwidth 12, padding 2, blanks):
/// every cell but the last is padded to max(widest cell + 2, 12).
/// </summary>
public static class Table
{
    public static string Format(IReadOnlyList<IReadOnlyList<string>> rows, int minWidth = 12, int padding = 2)
    {
        if (rows.Count == 0) return "";
        int columns = rows.Max(r => r.Count);
        var widths = new int[columns];
        foreach (var row in rows)
            for (int c = 0; c < row.Count - 1; c++)
                widths[c] = Math.Max(widths[c], Math.Max(row[c].Length + padding, minWidth));
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (int c = 0; c < row.Count; c++)
                sb.Append(c < row.Count - 1 ? row[c].PadRight(widths[c]) : row[c]);
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
