using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// Go's text/template lexer: text, {{actions}} with their "{{- " and " -}}" trim markers, comments,
/// and inside actions the same tokens and error messages as Go (space is a token: it separates arguments).
/// Stops at the first error, which becomes an Error token.
/// </summary>
internal sealed class Lexer
{
    private const string LeftDelim = "{{";
    private const string RightDelim = "}}";
    private const string LeftComment = "/*";
    private const string RightComment = "*/";
    private const int TrimMarkerLength = 2; // "-" plus the space before or after it

    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.Ordinal)
    {
        ["block"] = TokenKind.Block,
        ["break"] = TokenKind.Break,
        ["continue"] = TokenKind.Continue,
        ["define"] = TokenKind.Define,
        ["else"] = TokenKind.Else,
        ["end"] = TokenKind.End,
        ["if"] = TokenKind.If,
        ["nil"] = TokenKind.Nil,
        ["range"] = TokenKind.Range,
        ["template"] = TokenKind.Template,
        ["with"] = TokenKind.With,
    };

    private readonly string _input;
    private readonly SourceText _source;
    private readonly List<Token> _tokens = [];
    private int _start;
    private int _pos;
    private int _parenDepth;

    private Lexer(string input, SourceText source)
    {
        _input = input;
        _source = source;
    }

    public static List<Token> Lex(string input, SourceText source)
    {
        var lexer = new Lexer(input, source);
        lexer.Run();
        return lexer._tokens;
    }

    private delegate State? State();

    private void Run()
    {
        State? state = LexText;
        while (state is not null) state = state();
    }

    private char Peek => _pos < _input.Length ? _input[_pos] : '\0';

    private bool AtEof => _pos >= _input.Length;

    private void Emit(TokenKind kind)
    {
        _tokens.Add(new Token(kind, _input[_start.._pos], _start, _source.LineAt(_start)));
        _start = _pos;
    }

    private void Ignore() => _start = _pos;

    private State? Error(string message)
    {
        _tokens.Add(new Token(TokenKind.Error, message, _start, _source.LineAt(_start)));
        return null;
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    internal static bool IsAlphaNumeric(Rune r) => r.Value == '_' || Rune.IsLetter(r) || Rune.IsDigit(r);

    private static bool HasLeftTrimMarker(string s, int at) => at + 1 < s.Length && s[at] == '-' && IsSpace(s[at + 1]);

    private static bool HasRightTrimMarker(string s, int at) => at + 1 < s.Length && IsSpace(s[at]) && s[at + 1] == '-';

    private (bool Delim, bool Trim) AtRightDelim()
    {
        if (HasRightTrimMarker(_input, _pos) && string.CompareOrdinal(_input, _pos + TrimMarkerLength, RightDelim, 0, 2) == 0)
            return (true, true);
        return (string.CompareOrdinal(_input, _pos, RightDelim, 0, 2) == 0, false);
    }

    private int LeadingSpaces(int at)
    {
        int n = 0;
        while (at + n < _input.Length && IsSpace(_input[at + n])) n++;
        return n;
    }

    private State? LexText()
    {
        int x = _input.IndexOf(LeftDelim, _pos, StringComparison.Ordinal);
        if (x < 0)
        {
            _pos = _input.Length;
            if (_pos > _start) Emit(TokenKind.Text);
            Emit(TokenKind.Eof);
            return null;
        }
        _pos = x;
        int end = x;
        if (HasLeftTrimMarker(_input, x + LeftDelim.Length))
            while (end > _start && IsSpace(_input[end - 1])) end--;
        if (end > _start)
        {
            _tokens.Add(new Token(TokenKind.Text, _input[_start..end], _start, _source.LineAt(_start)));
        }
        Ignore();
        return LexLeftDelim;
    }

    private State? LexLeftDelim()
    {
        _pos += LeftDelim.Length;
        int afterMarker = HasLeftTrimMarker(_input, _pos) ? TrimMarkerLength : 0;
        if (string.CompareOrdinal(_input, _pos + afterMarker, LeftComment, 0, 2) == 0)
        {
            _pos += afterMarker;
            Ignore();
            return LexComment;
        }
        Emit(TokenKind.LeftDelim);
        _pos += afterMarker;
        Ignore();
        _parenDepth = 0;
        return LexInsideAction;
    }

    private State? LexComment()
    {
        _pos += LeftComment.Length;
        int x = _input.IndexOf(RightComment, _pos, StringComparison.Ordinal);
        if (x < 0) return Error("unclosed comment");
        _pos = x + RightComment.Length;
        var (delim, trim) = AtRightDelim();
        if (!delim) return Error("comment ends before closing delimiter");
        if (trim) _pos += TrimMarkerLength;
        _pos += RightDelim.Length;
        if (trim) _pos += LeadingSpaces(_pos);
        Ignore();
        return LexText;
    }

    private State? LexRightDelim()
    {
        var (_, trim) = AtRightDelim();
        if (trim)
        {
            _pos += TrimMarkerLength;
            Ignore();
        }
        _pos += RightDelim.Length;
        Emit(TokenKind.RightDelim);
        if (trim)
        {
            _pos += LeadingSpaces(_pos);
            Ignore();
        }
        return LexText;
    }

    private State? LexInsideAction()
    {
        var (delim, _) = AtRightDelim();
        if (delim)
            return _parenDepth == 0 ? LexRightDelim : Error("unclosed left paren");
        if (AtEof) return Error("unclosed action");
        var r = Rune.GetRuneAt(_input, _pos);
        char c = _input[_pos];
        _pos += r.Utf16SequenceLength;
        switch (c)
        {
            case ' ' or '\t' or '\r' or '\n':
                _pos--;
                return LexSpace;
            case '=':
                Emit(TokenKind.Assign);
                return LexInsideAction;
            case ':':
                if (Peek != '=') return Error("expected :=");
                _pos++;
                Emit(TokenKind.Declare);
                return LexInsideAction;
            case '|':
                Emit(TokenKind.Pipe);
                return LexInsideAction;
            case '"':
                return LexQuote;
            case '`':
                return LexRawQuote;
            case '$':
                return LexFieldOrVariable(TokenKind.Variable);
            case '\'':
                return LexChar;
            case '.':
                if (!char.IsAsciiDigit(Peek)) return LexFieldOrVariable(TokenKind.Field);
                _pos--;
                return LexNumber;
            case '+' or '-' or (>= '0' and <= '9'):
                _pos--;
                return LexNumber;
            case '(':
                Emit(TokenKind.LeftParen);
                _parenDepth++;
                return LexInsideAction;
            case ')':
                Emit(TokenKind.RightParen);
                _parenDepth--;
                return _parenDepth < 0 ? Error($"unexpected right paren {GoStrconv.FormatU(r)}") : LexInsideAction;
        }
        if (IsAlphaNumeric(r))
        {
            _pos -= r.Utf16SequenceLength;
            return LexIdentifier;
        }
        if (c <= 0x7f && !char.IsControl(c))
        {
            Emit(TokenKind.Char);
            return LexInsideAction;
        }
        return Error($"unrecognized character in action: {GoStrconv.FormatU(r)}");
    }

    private State? LexSpace()
    {
        int spaces = 0;
        while (!AtEof && IsSpace(Peek))
        {
            _pos++;
            spaces++;
        }
        // A space followed by "-}}" belongs to the closing delimiter.
        if (HasRightTrimMarker(_input, _pos - 1) && string.CompareOrdinal(_input, _pos - 1 + TrimMarkerLength, RightDelim, 0, 2) == 0)
        {
            _pos--;
            if (spaces == 1) return LexRightDelim;
        }
        Emit(TokenKind.Space);
        return LexInsideAction;
    }

    private Rune ScanAlphaNumerics()
    {
        while (!AtEof)
        {
            var r = Rune.GetRuneAt(_input, _pos);
            if (!IsAlphaNumeric(r)) return r;
            _pos += r.Utf16SequenceLength;
        }
        return default;
    }

    private bool AtTerminator()
    {
        if (AtEof) return true;
        char c = Peek;
        return IsSpace(c) || c is '.' or ',' or '|' or ':' or ')' or '('
            || string.CompareOrdinal(_input, _pos, RightDelim, 0, 2) == 0;
    }

    private State? BadCharacter(Rune r) => Error($"bad character {GoStrconv.FormatU(r)}");

    private State? LexIdentifier()
    {
        var r = ScanAlphaNumerics();
        if (!AtTerminator()) return BadCharacter(r);
        string word = _input[_start.._pos];
        if (Keywords.TryGetValue(word, out var keyword)) Emit(keyword);
        else if (word is "true" or "false") Emit(TokenKind.Bool);
        else Emit(TokenKind.Identifier);
        return LexInsideAction;
    }

    /// <summary>After "$" or ".": a variable or field name, or "$" / "." alone.</summary>
    private State? LexFieldOrVariable(TokenKind kind)
    {
        if (AtTerminator())
        {
            Emit(kind == TokenKind.Variable ? TokenKind.Variable : TokenKind.Dot);
            return LexInsideAction;
        }
        var r = ScanAlphaNumerics();
        if (!AtTerminator()) return BadCharacter(r);
        Emit(kind);
        return LexInsideAction;
    }

    private State? LexQuoted(char close, TokenKind kind, string unterminated, bool escapes)
    {
        while (true)
        {
            if (AtEof) return Error(unterminated);
            char c = _input[_pos++];
            if (escapes && c == '\\')
            {
                if (AtEof || Peek == '\n') return Error(unterminated);
                _pos++;
                continue;
            }
            if (escapes && c == '\n') return Error(unterminated);
            if (c == close) break;
        }
        Emit(kind);
        return LexInsideAction;
    }

    private State? LexQuote() => LexQuoted('"', TokenKind.String, "unterminated quoted string", escapes: true);

    private State? LexRawQuote() => LexQuoted('`', TokenKind.RawString, "unterminated raw quoted string", escapes: false);

    private State? LexChar() => LexQuoted('\'', TokenKind.CharConstant, "unterminated character constant", escapes: true);

    private State? LexNumber()
    {
        if (!ScanNumber()) return Error($"bad number syntax: {GoStrconv.Quote(_input[_start.._pos])}");
        if (Peek is '+' or '-')
        {
            // Go reads 1+2i as a complex constant; Skiff has no complex numbers.
            ScanNumber();
            return Error($"bad number syntax: {GoStrconv.Quote(_input[_start.._pos])}");
        }
        Emit(TokenKind.Number);
        return LexInsideAction;
    }

    private bool Accept(string valid)
    {
        if (!AtEof && valid.Contains(Peek, StringComparison.Ordinal))
        {
            _pos++;
            return true;
        }
        return false;
    }

    private void AcceptRun(string valid)
    {
        while (Accept(valid)) { }
    }

    private bool ScanNumber()
    {
        Accept("+-");
        string digits = "0123456789_";
        if (Accept("0"))
        {
            if (Accept("xX")) digits = "0123456789abcdefABCDEF_";
            else if (Accept("oO")) digits = "01234567_";
            else if (Accept("bB")) digits = "01_";
        }
        AcceptRun(digits);
        if (Accept(".")) AcceptRun(digits);
        if (digits.Length == 11 && Accept("eE"))
        {
            Accept("+-");
            AcceptRun("0123456789_");
        }
        if (digits.Length == 23 && Accept("pP"))
        {
            Accept("+-");
            AcceptRun("0123456789_");
        }
        if (!AtEof && IsAlphaNumeric(Rune.GetRuneAt(_input, _pos)))
        {
            _pos += Rune.GetRuneAt(_input, _pos).Utf16SequenceLength;
            return false;
        }
        return true;
    }
}

/// <summary>The template's text, to turn offsets into Go's line and byte-in-line positions.</summary>
internal sealed class SourceText(string text)
{
    private readonly int[] _lineStarts = LineStarts(text);

    public string Text { get; } = text;

    private static int[] LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n') starts.Add(i + 1);
        return [.. starts];
    }

    public int LineAt(int pos)
    {
        int i = Array.BinarySearch(_lineStarts, pos);
        return (i >= 0 ? i : ~i - 1) + 1;
    }

    /// <summary>"line:column" as Go's ErrorContext prints it: the column counts UTF-8 bytes from the line's start.</summary>
    public string Location(int pos)
    {
        int line = LineAt(pos);
        int start = _lineStarts[line - 1];
        int column = System.Text.Encoding.UTF8.GetByteCount(Text.AsSpan(start, Math.Min(pos, Text.Length) - start));
        return $"{line}:{column}";
    }
}
