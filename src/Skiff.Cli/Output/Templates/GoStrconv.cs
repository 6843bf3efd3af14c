using System.Globalization;
using System.Numerics;
using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>The parts of Go's strconv the templates need: quoting, unquoting, number literals, float formatting.</summary>
internal static class GoStrconv
{
    private const string LowerHex = "0123456789abcdef";

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    public static bool IsPrint(Rune r)
    {
        if (r.Value == ' ') return true;
        if (r.Value == 0xad) return false;
        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
                or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol => true,
            _ => false,
        };
    }

    /// <summary>strconv.Quote (or QuoteToASCII): a double-quoted Go string literal.</summary>
    public static string Quote(string s, bool asciiOnly = false)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var r in s.EnumerateRunes()) AppendEscaped(sb, r, '"', asciiOnly);
        return sb.Append('"').ToString();
    }

    /// <summary>strconv.QuoteRune: a single-quoted Go character literal.</summary>
    public static string QuoteRune(int value, bool asciiOnly = false)
    {
        var r = Rune.IsValid(value) ? new Rune(value) : Rune.ReplacementChar;
        var sb = new StringBuilder().Append('\'');
        AppendEscaped(sb, r, '\'', asciiOnly);
        return sb.Append('\'').ToString();
    }

    private static void AppendEscaped(StringBuilder sb, Rune r, char quote, bool asciiOnly)
    {
        if (r.Value == quote || r.Value == '\\')
        {
            sb.Append('\\').Append((char)r.Value);
            return;
        }
        if (asciiOnly ? r.Value < 0x80 && IsPrint(r) : IsPrint(r))
        {
            sb.Append(r.ToString());
            return;
        }
        switch (r.Value)
        {
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }
        if (r.Value < ' ' || r.Value == 0x7f) sb.Append("\\x").Append(LowerHex[r.Value >> 4]).Append(LowerHex[r.Value & 0xf]);
        else if (r.Value < 0x10000) sb.Append("\\u").Append(r.Value.ToString("x4", CultureInfo.InvariantCulture));
        else sb.Append("\\U").Append(r.Value.ToString("x8", CultureInfo.InvariantCulture));
    }

    /// <summary>fmt's %#U without the leading verb: "U+007D '}'".</summary>
    public static string FormatU(Rune r)
        => "U+" + r.Value.ToString("X4", CultureInfo.InvariantCulture) + (IsPrint(r) ? $" '{r}'" : "");

    /// <summary>
    /// A character constant's value: the code point of its one (possibly escaped) character; null when the
    /// literal is not valid Go, "malformed" set when more follows the first character.
    /// </summary>
    public static int? UnquoteChar(string literal, out bool malformed)
    {
        malformed = false;
        if (literal.Length < 3 || literal[0] != '\'' || literal[^1] != '\'') return null;
        for (int end = 2; end < literal.Length; end++)
        {
            string? one = Unquote("'" + literal[1..end] + "'");
            if (one is null) continue;
            malformed = end != literal.Length - 1;
            return Rune.GetRuneAt(one, 0).Value;
        }
        return null;
    }

    /// <summary>strconv.Unquote for "...", `...` and '...' literals; null where Go reports "invalid syntax".</summary>
    public static string? Unquote(string s)
    {
        if (s.Length < 2 || s[0] != s[^1]) return null;
        char quote = s[0];
        string body = s[1..^1];
        if (quote == '`') return body.Contains('`', StringComparison.Ordinal) ? null : body.Replace("\r", "", StringComparison.Ordinal);
        if (quote is not ('"' or '\'')) return null;
        var bytes = new List<byte>();
        Span<byte> utf8 = stackalloc byte[4];
        int i = 0;
        while (i < body.Length)
        {
            char c = body[i];
            if (c == quote || c == '\n') return null;
            if (c != '\\')
            {
                var r = Rune.GetRuneAt(body, i);
                i += r.Utf16SequenceLength;
                bytes.AddRange(utf8[..r.EncodeToUtf8(utf8)]);
                continue;
            }
            if (++i >= body.Length) return null;
            char e = body[i++];
            int value;
            switch (e)
            {
                case 'a': value = '\a'; break;
                case 'b': value = '\b'; break;
                case 'f': value = '\f'; break;
                case 'n': value = '\n'; break;
                case 'r': value = '\r'; break;
                case 't': value = '\t'; break;
                case 'v': value = '\v'; break;
                case '\\': value = '\\'; break;
                case '\'' or '"':
                    if (e != quote) return null;
                    value = e;
                    break;
                case 'x' or 'u' or 'U':
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + n > body.Length || !int.TryParse(body.AsSpan(i, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)) return null;
                    i += n;
                    if (e == 'x')
                    {
                        if (quote == '\'') break; // a character constant's \xff is the code point 0xff
                        bytes.Add((byte)value);
                        continue;
                    }
                    if (!Rune.IsValid(value)) return null;
                    break;
                case >= '0' and <= '7':
                    if (i + 2 > body.Length) return null;
                    value = 0;
                    for (int k = i - 1; k < i + 2; k++)
                    {
                        if (body[k] is < '0' or > '7') return null;
                        value = value * 8 + (body[k] - '0');
                    }
                    i += 2;
                    if (value > 255) return null;
                    if (quote == '\'') break;
                    bytes.Add((byte)value);
                    continue;
                default:
                    return null;
            }
            bytes.AddRange(utf8[..new Rune(value).EncodeToUtf8(utf8)]);
        }
        string result = Encoding.UTF8.GetString([.. bytes]);
        return quote == '\'' && result.EnumerateRunes().Count() != 1 ? null : result;
    }

    /// <summary>strconv.ParseInt(s, 0, 64): signs, 0x/0o/0b and legacy octal prefixes, underscores between digits.</summary>
    public static bool TryParseInt(string s, out long value)
    {
        value = 0;
        if (!TryParseMagnitude(s, out bool negative, out ulong magnitude)) return false;
        if (negative ? magnitude > 1UL << 63 : magnitude > long.MaxValue) return false;
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>strconv.ParseUint(s, 0, 64).</summary>
    public static bool TryParseUint(string s, out ulong value)
        => TryParseMagnitude(s, out bool negative, out value) && !negative && !s.StartsWith('+');

    private static bool TryParseMagnitude(string s, out bool negative, out ulong magnitude)
    {
        magnitude = 0;
        negative = false;
        int i = 0;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            i = 1;
        }
        string rest = s[i..];
        int radix = 10;
        bool prefixed = false;
        if (rest.Length >= 2 && rest[0] == '0')
        {
            prefixed = true;
            (radix, rest) = rest[1] switch
            {
                'x' or 'X' => (16, rest[2..]),
                'o' or 'O' => (8, rest[2..]),
                'b' or 'B' => (2, rest[2..]),
                _ => (8, rest[1..]),
            };
        }
        if (!UnderscoresOk(rest, prefixed)) return false;
        rest = rest.Replace("_", "", StringComparison.Ordinal);
        if (rest.Length == 0) return false;
        foreach (char c in rest)
        {
            int digit = c switch { >= '0' and <= '9' => c - '0', >= 'a' and <= 'f' => c - 'a' + 10, >= 'A' and <= 'F' => c - 'A' + 10, _ => 99 };
            if (digit >= radix) return false;
            if (magnitude > (ulong.MaxValue - (ulong)digit) / (ulong)radix) return false;
            magnitude = magnitude * (ulong)radix + (ulong)digit;
        }
        return true;
    }

    private static bool UnderscoresOk(string digits, bool prefixed)
    {
        if (!digits.Contains('_', StringComparison.Ordinal)) return true;
        char previous = prefixed ? '0' : '^';
        foreach (char c in digits)
        {
            if (c == '_' && previous == '_') return false;
            if (c == '_' && previous == '^') return false;
            previous = c;
        }
        return previous != '_';
    }

    /// <summary>strconv.ParseFloat(s, 64) for decimal literals; an overflow to infinity is a failure, as Go's ErrRange.</summary>
    public static bool TryParseFloat(string s, out double value)
    {
        value = 0;
        string body = s.TrimStart('+', '-');
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return TryParseHexFloat(s, out value);
        if (!UnderscoresOk(body, false)) return false;
        if (!double.TryParse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return false;
        return !double.IsInfinity(value);
    }

    /// <summary>A hexadecimal float: 0x1.8p3 is 1.5 × 2³; the "p" exponent is required.</summary>
    private static bool TryParseHexFloat(string s, out double value)
    {
        value = 0;
        bool negative = s.StartsWith('-');
        string body = s.TrimStart('+', '-')[2..].Replace("_", "", StringComparison.Ordinal);
        int p = body.IndexOfAny(['p', 'P']);
        if (p < 0 || !int.TryParse(body.AsSpan(p + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent)) return false;
        string mantissa = body[..p];
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        if (digits.Length == 0) return false;
        double m = 0;
        foreach (char c in digits)
        {
            int d = Convert.ToInt32(c.ToString(), 16);
            m = m * 16 + d;
        }
        int fraction = dot < 0 ? 0 : mantissa.Length - dot - 1;
        value = m * Math.Pow(2, exponent - 4 * fraction);
        if (negative) value = -value;
        return !double.IsInfinity(value);
    }

    /// <summary>strconv.FormatFloat(v, fmt, prec, 64) for 'e', 'E', 'f', 'F', 'g' and 'G'; prec -1 is the shortest exact form.</summary>
    public static string FormatFloat(double v, char fmt, int prec)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        bool negative = double.IsNegative(v);
        if (fmt is 'b' or 'x' or 'X') return (negative ? "-" : "") + Binary(Math.Abs(v), fmt);
        bool shortest = prec < 0;
        var d = shortest ? Digits.Shortest(Math.Abs(v)) : Digits.Exact(Math.Abs(v));
        if (!shortest)
        {
            switch (fmt)
            {
                case 'e' or 'E': d = d.Round(prec + 1); break;
                case 'f' or 'F': d = d.Round(d.Dp + prec); break;
                default:
                    if (prec == 0) prec = 1;
                    d = d.Round(prec);
                    break;
            }
        }
        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        switch (fmt)
        {
            case 'e' or 'E':
                AppendE(sb, d, shortest ? d.Nd - 1 : prec, fmt);
                break;
            case 'f' or 'F':
                AppendF(sb, d, shortest ? Math.Max(d.Nd - d.Dp, 0) : prec);
                break;
            default:
                if (shortest) prec = d.Nd;
                int eprec = prec;
                if (eprec > d.Nd && d.Nd >= d.Dp) eprec = d.Nd;
                if (shortest) eprec = 6;
                int exp = d.Dp - 1;
                if (exp < -4 || exp >= eprec)
                {
                    if (prec > d.Nd) prec = d.Nd;
                    AppendE(sb, d, prec - 1, fmt == 'g' ? 'e' : 'E');
                }
                else
                {
                    if (prec > d.Dp) prec = d.Nd;
                    AppendF(sb, d, Math.Max(prec - d.Dp, 0));
                }
                break;
        }
        return sb.ToString();
    }

    /// <summary>%b (mantissa "p" binary exponent) and %x/%X (hexadecimal mantissa and binary exponent), shortest form.</summary>
    private static string Binary(double v, char fmt)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        int exp = (int)((bits >> 52) & 0x7ff);
        ulong mant = (ulong)bits & 0xfffffffffffffUL;
        if (exp == 0) exp++;
        else mant |= 1UL << 52;
        exp -= 1023;
        if (fmt == 'b')
        {
            int e = exp - 52;
            return mant.ToString(CultureInfo.InvariantCulture) + "p" + (e >= 0 ? "+" : "") + e.ToString(CultureInfo.InvariantCulture);
        }
        if (mant == 0) exp = 0;
        mant <<= 8;
        while (mant != 0 && (mant & (1UL << 60)) == 0)
        {
            mant <<= 1;
            exp--;
        }
        string hex = fmt == 'X' ? "0123456789ABCDEF" : LowerHex;
        var sb = new StringBuilder().Append('0').Append(fmt).Append((char)('0' + (int)((mant >> 60) & 1)));
        mant <<= 4;
        if (mant != 0)
        {
            sb.Append('.');
            for (; mant != 0; mant <<= 4) sb.Append(hex[(int)((mant >> 60) & 15)]);
        }
        sb.Append(fmt == 'X' ? 'P' : 'p').Append(exp < 0 ? '-' : '+');
        exp = Math.Abs(exp);
        sb.Append(exp.ToString(exp < 100 ? "D2" : "D", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static void AppendE(StringBuilder sb, Digits d, int prec, char fmt)
    {
        sb.Append(d.Nd == 0 ? '0' : d.Text[0]);
        if (prec > 0)
        {
            sb.Append('.');
            int i = 1;
            int m = Math.Min(d.Nd, prec + 1);
            if (i < m)
            {
                sb.Append(d.Text, i, m - i);
                i = m;
            }
            for (; i <= prec; i++) sb.Append('0');
        }
        sb.Append(fmt);
        int exp = d.Nd == 0 ? 0 : d.Dp - 1;
        sb.Append(exp < 0 ? '-' : '+');
        exp = Math.Abs(exp);
        if (exp < 10) sb.Append('0');
        sb.Append(exp.ToString(CultureInfo.InvariantCulture));
    }

    private static void AppendF(StringBuilder sb, Digits d, int prec)
    {
        if (d.Dp > 0)
        {
            int m = Math.Min(d.Nd, d.Dp);
            sb.Append(d.Text, 0, m);
            for (; m < d.Dp; m++) sb.Append('0');
        }
        else sb.Append('0');
        if (prec > 0)
        {
            sb.Append('.');
            for (int i = 1; i <= prec; i++)
            {
                int j = d.Dp + i - 1;
                sb.Append(j >= 0 && j < d.Nd ? d.Text[j] : '0');
            }
        }
    }

    /// <summary>A non-negative decimal 0.Text × 10^Dp, without leading or trailing zeros (zero has no digits).</summary>
    private readonly record struct Digits(string Text, int Dp)
    {
        public int Nd => Text.Length;

        /// <summary>The shortest digits that read back as the same double (.NET's "R" form, as Go's shortest).</summary>
        public static Digits Shortest(double v) => Parse(v.ToString("R", CultureInfo.InvariantCulture));

        /// <summary>Every digit of the double's exact binary value.</summary>
        public static Digits Exact(double v)
        {
            if (v == 0) return new Digits("", 0);
            long bits = BitConverter.DoubleToInt64Bits(v);
            int exponent = (int)((bits >> 52) & 0x7ff);
            long mantissa = bits & 0xfffffffffffffL;
            if (exponent == 0) exponent = 1;
            else mantissa |= 1L << 52;
            exponent -= 1075;
            if (exponent >= 0) return Trim((new BigInteger(mantissa) << exponent).ToString(CultureInfo.InvariantCulture), null);
            string digits = (mantissa * BigInteger.Pow(5, -exponent)).ToString(CultureInfo.InvariantCulture);
            return Trim(digits, digits.Length + exponent);
        }

        private static Digits Parse(string s)
        {
            int e = s.IndexOfAny(['E', 'e']);
            int exp = e >= 0 ? int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
            string mantissa = e >= 0 ? s[..e] : s;
            int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
            int intDigits = dot >= 0 ? dot : mantissa.Length;
            return Trim(mantissa.Replace(".", "", StringComparison.Ordinal), intDigits + exp);
        }

        private static Digits Trim(string digits, int? dp)
        {
            int point = dp ?? digits.Length;
            int lead = 0;
            while (lead < digits.Length && digits[lead] == '0') lead++;
            digits = digits[lead..].TrimEnd('0');
            return digits.Length == 0 ? new Digits("", 0) : new Digits(digits, point - lead);
        }

        /// <summary>Keeps <paramref name="nd"/> digits, rounding half to even as Go's decimal does.</summary>
        public Digits Round(int nd)
        {
            if (nd < 0 || nd >= Nd) return this;
            bool up = Text[nd] == '5' && nd + 1 == Nd ? nd > 0 && (Text[nd - 1] - '0') % 2 == 1 : Text[nd] >= '5';
            if (!up) return Trim(Text[..nd], Dp);
            int i = nd - 1;
            while (i >= 0 && Text[i] == '9') i--;
            if (i < 0) return new Digits("1", Dp + 1);
            return new Digits(Text[..i] + (char)(Text[i] + 1), Dp);
        }
    }
}
