using System.Globalization;

namespace Skiff.Interop;

/// <summary>Signal names and numbers as `kill` accepts them: TERM, SIGTERM, sigterm, 15, RTMIN+2 (runtime and engine share it).</summary>
public static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
        "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    /// <summary>The signal's number, or null when <paramref name="text"/> names none.</summary>
    public static int? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            return n is >= 1 and <= 64 ? n : null;
        string name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal)) name = name[3..];
        int index = Array.IndexOf(Names, name);
        if (index > 0) return index;
        if (name is "IOT") return 6;
        if (name is "CLD") return 17;
        if (name is "POLL") return 29;
        if (name.StartsWith("RTMIN", StringComparison.Ordinal)) return Realtime(name[5..], 34, +1);
        if (name.StartsWith("RTMAX", StringComparison.Ordinal)) return Realtime(name[5..], 64, -1);
        return null;
    }

    private static int? Realtime(string rest, int baseSignal, int direction)
    {
        if (rest.Length == 0) return baseSignal;
        char sign = rest[0];
        if ((sign == '+' && direction > 0) || (sign == '-' && direction < 0))
        {
            if (int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int offset) && offset <= 30)
                return baseSignal + direction * offset;
        }
        return null;
    }
}
