using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// Go's fmt over template values: Sprint, Sprintln and Sprintf with their verbs (%v %s %d %q %t %x %X %o %b
/// %c %U %e %f %g %T ...), flags (- + # 0 space), width, precision, * and [n], and Go's error forms
/// (%!d(string=a), %!d(MISSING), %!(EXTRA int=2)). Lists print as [a b], maps as map[k:v], structs as {a b}.
/// </summary>
internal sealed class GoFmt
{
    private const string LowerDigits = "0123456789abcdefx";
    private const string UpperDigits = "0123456789ABCDEFX";

    private readonly StringBuilder _buf = new();
    private bool _minus, _plus, _sharp, _space, _zero, _plusV, _sharpV, _widPresent, _precPresent;
    private int _wid, _prec;

    /// <summary>fmt.Sprint: operands as %v, with a space between two operands when neither is a string.</summary>
    public static string Sprint(IReadOnlyList<Value> args)
    {
        var p = new GoFmt();
        bool previousString = false;
        for (int i = 0; i < args.Count; i++)
        {
            bool isString = args[i].Kind == ValueKind.String && !args[i].IsTime;
            if (i > 0 && !isString && !previousString) p._buf.Append(' ');
            p.PrintArg(args[i], 'v');
            previousString = isString;
        }
        return p._buf.ToString();
    }

    /// <summary>fmt.Sprintln: operands as %v separated by spaces, and a newline.</summary>
    public static string Sprintln(IReadOnlyList<Value> args)
    {
        var p = new GoFmt();
        for (int i = 0; i < args.Count; i++)
        {
            if (i > 0) p._buf.Append(' ');
            p.PrintArg(args[i], 'v');
        }
        return p._buf.Append('\n').ToString();
    }

    /// <summary>One value as %v.</summary>
    public static string Print(Value value) => Sprint([value]);

    public static string Sprintf(string format, IReadOnlyList<Value> args)
    {
        var p = new GoFmt();
        p.DoPrintf(format, args);
        return p._buf.ToString();
    }

    private void ClearFlags()
    {
        _minus = _plus = _sharp = _space = _zero = _plusV = _sharpV = _widPresent = _precPresent = false;
        _wid = _prec = 0;
    }

    private void DoPrintf(string format, IReadOnlyList<Value> a)
    {
        int end = format.Length;
        int argNum = 0;
        bool afterIndex;
        bool reordered = false;
        for (int i = 0; i < end;)
        {
            bool goodArgNum = true;
            int last = i;
            while (i < end && format[i] != '%') i++;
            if (i > last) _buf.Append(format, last, i - last);
            if (i >= end) break;
            i++;
            ClearFlags();
            for (; i < end; i++)
            {
                char c = format[i];
                if (c == '#') _sharp = true;
                else if (c == '0') _zero = !_minus;
                else if (c == '+') _plus = true;
                else if (c == '-')
                {
                    _minus = true;
                    _zero = false;
                }
                else if (c == ' ') _space = true;
                else break;
            }

            (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Count, ref goodArgNum, ref reordered);

            if (i < end && format[i] == '*')
            {
                i++;
                (_wid, _widPresent, argNum) = IntFromArg(a, argNum);
                if (!_widPresent) _buf.Append("%!(BADWIDTH)");
                if (_wid < 0)
                {
                    _wid = -_wid;
                    _minus = true;
                    _zero = false;
                }
                afterIndex = false;
            }
            else
            {
                (_wid, _widPresent, i) = ParseNum(format, i, end);
                if (afterIndex && _widPresent) goodArgNum = false;
            }

            if (i + 1 < end && format[i] == '.')
            {
                i++;
                if (afterIndex) goodArgNum = false;
                (argNum, i, afterIndex) = ArgNumber(argNum, format, i, a.Count, ref goodArgNum, ref reordered);
                if (i < end && format[i] == '*')
                {
                    i++;
                    (_prec, _precPresent, argNum) = IntFromArg(a, argNum);
                    if (_prec < 0)
                    {
                        _prec = 0;
                        _precPresent = false;
                    }
                    if (!_precPresent) _buf.Append("%!(BADPREC)");
                    afterIndex = false;
                }
                else
                {
                    (_prec, _precPresent, i) = ParseNum(format, i, end);
                    if (!_precPresent)
                    {
                        _prec = 0;
                        _precPresent = true;
                    }
                }
            }

            if (!afterIndex) (argNum, i, _) = ArgNumber(argNum, format, i, a.Count, ref goodArgNum, ref reordered);

            if (i >= end)
            {
                _buf.Append("%!(NOVERB)");
                break;
            }
            var verb = Rune.GetRuneAt(format, i);
            i += verb.Utf16SequenceLength;
            if (verb.Value == '%') _buf.Append('%');
            else if (!goodArgNum) _buf.Append("%!").Append(verb.ToString()).Append("(BADINDEX)");
            else if (argNum >= a.Count) _buf.Append("%!").Append(verb.ToString()).Append("(MISSING)");
            else
            {
                if (verb.Value == 'v')
                {
                    _sharpV = _sharp;
                    _sharp = false;
                    _plusV = _plus;
                    _plus = false;
                }
                PrintArg(a[argNum], verb.Value);
                argNum++;
            }
        }

        if (!reordered && argNum < a.Count)
        {
            ClearFlags();
            _buf.Append("%!(EXTRA ");
            for (int k = argNum; k < a.Count; k++)
            {
                if (k > argNum) _buf.Append(", ");
                if (!a[k].IsValid) _buf.Append("<nil>");
                else
                {
                    _buf.Append(a[k].GoType).Append('=');
                    PrintArg(a[k], 'v');
                }
            }
            _buf.Append(')');
        }
    }

    private static (int Num, bool Present, int End) ParseNum(string s, int start, int end)
    {
        if (start >= end) return (0, false, start);
        int num = 0;
        bool present = false;
        int i = start;
        for (; i < end && char.IsAsciiDigit(s[i]); i++)
        {
            if (num > 1_000_000) return (0, false, end); // too large: Go gives up on the verb
            num = num * 10 + (s[i] - '0');
            present = true;
        }
        return (num, present, i);
    }

    private static (int ArgNum, int End, bool Found) ArgNumber(int argNum, string format, int i, int numArgs, ref bool goodArgNum, ref bool reordered)
    {
        if (format.Length <= i || format[i] != '[') return (argNum, i, false);
        reordered = true;
        var (index, width, ok) = ParseArgNumber(format[i..]);
        if (ok && index >= 0 && index < numArgs) return (index, i + width, true);
        goodArgNum = false;
        return (argNum, i + width, ok);
    }

    private static (int Index, int Width, bool Ok) ParseArgNumber(string format)
    {
        if (format.Length < 3) return (0, 1, false);
        for (int i = 1; i < format.Length; i++)
        {
            if (format[i] != ']') continue;
            var (width, ok, newi) = ParseNum(format, 1, i);
            if (!ok || newi != i) return (0, i + 1, false);
            return (width - 1, i + 1, true);
        }
        return (0, 1, false);
    }

    private static (int Num, bool IsInt, int ArgNum) IntFromArg(IReadOnlyList<Value> a, int argNum)
    {
        if (argNum >= a.Count) return (0, false, argNum);
        var v = a[argNum];
        if (v.Kind != ValueKind.Int || Math.Abs(v.Int) > 1_000_000) return (0, false, argNum + 1);
        return ((int)v.Int, true, argNum + 1);
    }

    private void PrintArg(Value arg, int verb)
    {
        if (!arg.IsValid)
        {
            if (verb is 'T' or 'v') Pad("<nil>");
            else BadVerb(verb, arg);
            return;
        }
        if (verb == 'T')
        {
            FmtS(arg.GoType);
            return;
        }
        PrintValue(arg, verb, 0);
    }

    private void PrintValue(Value v, int verb, int depth)
    {
        switch (v.Kind)
        {
            case ValueKind.Invalid:
                if (depth == 0) PrintArg(v, verb);
                else _buf.Append("<nil>");
                return;
            case ValueKind.Bool:
                if (verb is 't' or 'v') Pad(v.Bool ? "true" : "false");
                else BadVerb(verb, v);
                return;
            case ValueKind.Int:
                FmtInteger(v, verb);
                return;
            case ValueKind.Float:
                FmtFloat(v, verb);
                return;
            case ValueKind.String or ValueKind.Header:
                FmtString(v, verb);
                return;
            case ValueKind.List:
                _buf.Append('[');
                for (int i = 0; i < v.Items.Count; i++)
                {
                    if (i > 0) _buf.Append(' ');
                    PrintValue(v.Element(i), verb, depth + 1);
                }
                _buf.Append(']');
                return;
            case ValueKind.Object when v.IsStruct:
                _buf.Append('{');
                bool first = true;
                foreach (var (name, field) in v.Entries())
                {
                    if (!first) _buf.Append(' ');
                    first = false;
                    if (_plusV || _sharpV) _buf.Append(name).Append(':');
                    PrintValue(field, verb, depth + 1);
                }
                _buf.Append('}');
                return;
            case ValueKind.Object:
                _buf.Append("map[");
                bool firstEntry = true;
                foreach (var (key, value) in v.Entries())
                {
                    if (!firstEntry) _buf.Append(' ');
                    firstEntry = false;
                    PrintValue(Value.Of(key), verb, depth + 1);
                    _buf.Append(':');
                    PrintValue(value, verb, depth + 1);
                }
                _buf.Append(']');
                return;
        }
    }

    private void BadVerb(int verb, Value arg)
    {
        _buf.Append("%!").Append(char.ConvertFromUtf32(verb)).Append('(');
        if (arg.IsValid)
        {
            _buf.Append(arg.GoType).Append('=');
            PrintArg(arg, 'v');
        }
        else _buf.Append("<nil>");
        _buf.Append(')');
    }

    private void WritePadding(int n)
    {
        if (n > 0) _buf.Append(_zero ? '0' : ' ', n);
    }

    /// <summary>Pads to the width in runes, on the left (with zeros under the 0 flag) or with "-" on the right.</summary>
    private void Pad(string s)
    {
        if (!_widPresent || _wid == 0)
        {
            _buf.Append(s);
            return;
        }
        int width = _wid - s.EnumerateRunes().Count();
        if (!_minus)
        {
            WritePadding(width);
            _buf.Append(s);
        }
        else
        {
            _buf.Append(s);
            WritePadding(width);
        }
    }

    private string Truncate(string s)
    {
        if (!_precPresent) return s;
        var runes = s.EnumerateRunes().Take(_prec + 1).ToList();
        return runes.Count <= _prec ? s : string.Concat(runes.Take(_prec).Select(r => r.ToString()));
    }

    private void FmtS(string s) => Pad(Truncate(s));

    private void FmtString(Value v, int verb)
    {
        string s = v.IsTime ? GoTime.Format(v.Str) : v.Str;
        switch (verb)
        {
            case 'v':
                if (_sharpV) FmtQ(s);
                else FmtS(s);
                return;
            case 's':
                FmtS(s);
                return;
            case 'x':
                FmtSx(s, LowerDigits);
                return;
            case 'X':
                FmtSx(s, UpperDigits);
                return;
            case 'q':
                FmtQ(s);
                return;
            default:
                BadVerb(verb, v);
                return;
        }
    }

    private void FmtQ(string s)
    {
        s = Truncate(s);
        if (_sharp && !s.Contains('`', StringComparison.Ordinal) && s.All(c => c == '\t' || !char.IsControl(c)))
            Pad("`" + s + "`");
        else Pad(GoStrconv.Quote(s, asciiOnly: _plus));
    }

    private void FmtSx(string s, string digits)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        int length = _precPresent && _prec < bytes.Length ? _prec : bytes.Length;
        var sb = new StringBuilder();
        if (length > 0 && _sharp) sb.Append('0').Append(digits[16]);
        for (int i = 0; i < length; i++)
        {
            if (_space && i > 0)
            {
                sb.Append(' ');
                if (_sharp) sb.Append('0').Append(digits[16]);
            }
            sb.Append(digits[bytes[i] >> 4]).Append(digits[bytes[i] & 0xf]);
        }
        Pad(sb.ToString());
    }

    private void FmtInteger(Value v, int verb)
    {
        switch (verb)
        {
            case 'v' or 'd': Integer(v.Int, 10, verb, LowerDigits); return;
            case 'b': Integer(v.Int, 2, verb, LowerDigits); return;
            case 'o' or 'O': Integer(v.Int, 8, verb, LowerDigits); return;
            case 'x': Integer(v.Int, 16, verb, LowerDigits); return;
            case 'X': Integer(v.Int, 16, verb, UpperDigits); return;
            case 'c':
                Pad(Rune.IsValid(v.Int is >= 0 and <= 0x10ffff ? (int)v.Int : -1) ? char.ConvertFromUtf32((int)v.Int) : "\uFFFD");
                return;
            case 'q':
                Pad(GoStrconv.QuoteRune(v.Int is >= 0 and <= 0x10ffff ? (int)v.Int : 0xfffd, asciiOnly: _plus));
                return;
            case 'U':
                FmtUnicode(v.Int);
                return;
            default:
                BadVerb(verb, v);
                return;
        }
    }

    private void FmtUnicode(long u)
    {
        int prec = _precPresent && _prec > 4 ? _prec : 4;
        string hex = ((ulong)u).ToString("X", System.Globalization.CultureInfo.InvariantCulture).PadLeft(prec, '0');
        string s = "U+" + hex;
        if (_sharp && u is >= 0 and <= 0x10ffff && Rune.IsValid((int)u) && GoStrconv.IsPrint(new Rune((int)u)))
            s += " '" + char.ConvertFromUtf32((int)u) + "'";
        bool zero = _zero;
        _zero = false;
        Pad(s);
        _zero = zero;
    }

    /// <summary>Go's fmtInteger: precision is a minimum digit count, the 0 flag pads to the width after the sign.</summary>
    private void Integer(long value, int radix, int verb, string digits)
    {
        bool negative = value < 0;
        ulong u = negative ? (ulong)(-(value + 1)) + 1 : (ulong)value;
        int prec = 0;
        if (_precPresent)
        {
            prec = _prec;
            if (prec == 0 && u == 0)
            {
                bool zero = _zero;
                _zero = false;
                WritePadding(_wid);
                _zero = zero;
                return;
            }
        }
        else if (_zero && _widPresent)
        {
            prec = _wid;
            if (negative || _plus || _space) prec--;
        }
        var text = new StringBuilder();
        do
        {
            text.Insert(0, digits[(int)(u % (ulong)radix)]);
            u /= (ulong)radix;
        }
        while (u > 0);
        while (text.Length < prec) text.Insert(0, '0');
        if (_sharp)
        {
            switch (radix)
            {
                case 2: text.Insert(0, "0b"); break;
                case 8 when text[0] != '0': text.Insert(0, '0'); break;
                case 16: text.Insert(0, "0" + digits[16]); break;
            }
        }
        if (verb == 'O') text.Insert(0, "0o");
        if (negative) text.Insert(0, '-');
        else if (_plus) text.Insert(0, '+');
        else if (_space) text.Insert(0, ' ');
        bool oldZero = _zero;
        _zero = false;
        Pad(text.ToString());
        _zero = oldZero;
    }

    private void FmtFloat(Value v, int verb)
    {
        switch (verb)
        {
            case 'v': Float(v.Float, 'g', -1); return;
            case 'g' or 'G' or 'b' or 'x' or 'X': Float(v.Float, (char)verb, -1); return;
            case 'f' or 'F' or 'e' or 'E': Float(v.Float, (char)verb, 6); return;
            default: BadVerb(verb, v); return;
        }
    }

    private void Float(double v, char verb, int prec)
    {
        if (_precPresent) prec = _prec;
        string num = GoStrconv.FormatFloat(v, verb == 'F' ? 'f' : verb, prec);
        if (num[0] is not ('-' or '+')) num = "+" + num;
        if (_space && num[0] == '+' && !_plus) num = " " + num[1..];
        if (num[1] is 'I' or 'N')
        {
            bool zero = _zero;
            _zero = false;
            if (num[1] == 'N' && !_space && !_plus) num = num[1..];
            Pad(num);
            _zero = zero;
            return;
        }
        if (_plus || num[0] != '+')
        {
            if (_zero && _widPresent && _wid > num.Length)
            {
                _buf.Append(num[0]);
                WritePadding(_wid - num.Length);
                _buf.Append(num, 1, num.Length - 1);
                return;
            }
            Pad(num);
            return;
        }
        Pad(num[1..]);
    }
}
