using System.Text;

namespace Skiff.Cli.Output.Templates;

internal enum TokenKind
{
    Error,
    Eof,
    Text,
    LeftDelim,
    RightDelim,
    Space,
    Identifier,
    Field,
    Variable,
    Dot,
    Bool,
    Number,
    CharConstant,
    String,
    RawString,
    Pipe,
    LeftParen,
    RightParen,
    Declare,
    Assign,
    Char,

    // Keywords: everything after this marker.
    Keyword,
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

/// <summary>One lexeme: its kind, its text as written, its offset in the template and its line.</summary>
internal readonly record struct Token(TokenKind Kind, string Value, int Pos, int Line)
{
    /// <summary>How Go's parser names a token in its messages: "EOF", &lt;end&gt;, or the quoted text.</summary>
    public override string ToString() => Kind switch
    {
        TokenKind.Eof => "EOF",
        TokenKind.Error => Value,
        > TokenKind.Keyword => $"<{Value}>",
        _ when Value.EnumerateRunes().Count() > 10 => GoStrconv.Quote(string.Concat(Value.EnumerateRunes().Take(10).Select(r => r.ToString()))) + "...",
        _ => GoStrconv.Quote(Value),
    };
}
