using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// Go's text/tabwriter as podman configures it (minwidth 12, padding 2, padded with spaces, no flags):
/// tab-terminated cells are aligned in column blocks, runs of consecutive lines that have a cell in that
/// column; each column is as wide as its widest cell plus the padding, and at least the minimum width.
/// The text after a line's last tab is not part of any column.
/// </summary>
internal sealed class TabWriter
{
    private readonly string[][] _lines;
    private readonly int _minWidth;
    private readonly int _padding;
    private readonly List<int> _widths = [];
    private readonly StringBuilder _out = new();

    private TabWriter(string text, int minWidth, int padding)
    {
        var lines = text.Split('\n');
        _lines = new string[lines.Length][];
        for (int i = 0; i < lines.Length; i++)
            _lines[i] = i == lines.Length - 1 && lines[i].Length == 0 ? [] : lines[i].Split('\t');
        _minWidth = minWidth;
        _padding = padding;
    }

    public static string Format(string text, int minWidth = 12, int padding = 2)
    {
        var writer = new TabWriter(text, minWidth, padding);
        writer.FormatBlock(0, writer._lines.Length);
        return writer._out.ToString();
    }

    private static int Width(string cell) => cell.EnumerateRunes().Count();

    private void FormatBlock(int line0, int line1)
    {
        int column = _widths.Count;
        for (int i = line0; i < line1; i++)
        {
            if (column >= _lines[i].Length - 1) continue;
            // A cell in this column: a block of lines starts here.
            WriteLines(line0, i);
            line0 = i;
            int width = _minWidth;
            for (; i < line1; i++)
            {
                var line = _lines[i];
                if (column >= line.Length - 1) break;
                width = Math.Max(width, Width(line[column]) + _padding);
            }
            _widths.Add(width);
            FormatBlock(line0, i);
            _widths.RemoveAt(_widths.Count - 1);
            line0 = i;
        }
        WriteLines(line0, line1);
    }

    private void WriteLines(int line0, int line1)
    {
        for (int i = line0; i < line1; i++)
        {
            var line = _lines[i];
            for (int j = 0; j < line.Length; j++)
            {
                _out.Append(line[j]);
                if (j < _widths.Count) _out.Append(' ', Math.Max(0, _widths[j] - Width(line[j])));
            }
            if (i + 1 < _lines.Length) _out.Append('\n');
        }
    }
}
