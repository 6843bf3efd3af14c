using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// Go's text/template parser, over the lexer's tokens: the main template and any {{define}}d or
/// {{block}} ones, variables checked where they are used, and Go's wording for every syntax error
/// ("template: output:1: unexpected "}" in operand").
/// </summary>
internal sealed class Parser
{
    private readonly List<Token> _tokens;
    private readonly string _name;
    private readonly IReadOnlySet<string> _functions;
    private readonly Dictionary<string, ListNode> _definitions = new(StringComparer.Ordinal);
    private List<string> _vars = ["$"];
    private int _index;
    private int _rangeDepth;

    private Parser(List<Token> tokens, string name, IReadOnlySet<string> functions)
    {
        _tokens = tokens;
        _name = name;
        _functions = functions;
    }

    /// <summary>Parses a template; returns every template it defines, the main one under <paramref name="name"/>.</summary>
    public static Dictionary<string, ListNode> Parse(SourceText source, string name, IReadOnlySet<string> functions)
    {
        var parser = new Parser(Lexer.Lex(source.Text, source), name, functions);
        var root = parser.ParseRoot();
        parser.Add(name, root);
        return parser._definitions;
    }

    private Token Current => _tokens[Math.Max(0, Math.Min(_index, _tokens.Count) - 1)];

    private TemplateException Error(string message, int? line = null)
        => new($"template: {_name}:{line ?? Current.Line}: {message}");

    private Token Next()
    {
        var token = _index < _tokens.Count ? _tokens[_index] : _tokens[^1];
        _index = Math.Min(_index + 1, _tokens.Count);
        if (token.Kind == TokenKind.Error) throw Error(token.Value, token.Line);
        return token;
    }

    private void Backup() => _index--;

    private Token Peek() => _index < _tokens.Count ? _tokens[_index] : _tokens[^1];

    private Token NextNonSpace()
    {
        Token token;
        do token = Next();
        while (token.Kind == TokenKind.Space);
        return token;
    }

    private Token PeekNonSpace()
    {
        var token = NextNonSpace();
        Backup();
        return token;
    }

    private Token Expect(TokenKind kind, string context)
    {
        var token = NextNonSpace();
        if (token.Kind != kind) throw Unexpected(token, context);
        return token;
    }

    private TemplateException Unexpected(Token token, string context)
        => token.Kind == TokenKind.Error ? Error(token.Value, token.Line) : Error($"unexpected {token} in {context}", token.Line);

    private ListNode ParseRoot()
    {
        var root = new ListNode(Peek().Pos);
        while (Peek().Kind != TokenKind.Eof)
        {
            if (Peek().Kind == TokenKind.LeftDelim)
            {
                int mark = _index;
                Next();
                if (NextNonSpace().Kind == TokenKind.Define)
                {
                    ParseDefinition();
                    continue;
                }
                _index = mark;
            }
            var node = TextOrAction();
            if (node is EndNode or ElseNode) throw Error($"unexpected {node}");
            root.Nodes.Add(node);
        }
        return root;
    }

    /// <summary>Records a named template; Go allows a second definition only when one of the two is empty.</summary>
    private void Add(string name, ListNode root)
    {
        if (!_definitions.TryGetValue(name, out var existing) || IsEmpty(existing))
            _definitions[name] = root;
        else if (!IsEmpty(root))
            throw Error($"template: multiple definition of template {GoStrconv.Quote(name)}");
    }

    private static bool IsEmpty(ListNode list)
        => list.Nodes.All(n => n is TextNode t && t.Text.All(Lexer.IsSpace));

    private void ParseDefinition()
    {
        const string context = "define clause";
        var token = NextNonSpace();
        string name = TemplateName(token, context);
        Expect(TokenKind.RightDelim, context);
        var (root, end) = WithOwnScope(ItemList);
        if (end is not EndNode) throw Error($"unexpected {end} in {context}");
        Add(name, root);
    }

    private T WithOwnScope<T>(Func<T> parse)
    {
        var (vars, depth) = (_vars, _rangeDepth);
        (_vars, _rangeDepth) = (["$"], 0);
        try { return parse(); }
        finally { (_vars, _rangeDepth) = (vars, depth); }
    }

    private (ListNode List, Node Next) ItemList()
    {
        var list = new ListNode(PeekNonSpace().Pos);
        while (PeekNonSpace().Kind != TokenKind.Eof)
        {
            var node = TextOrAction();
            if (node is EndNode or ElseNode) return (list, node);
            list.Nodes.Add(node);
        }
        throw Error("unexpected EOF");
    }

    private Node TextOrAction()
    {
        var token = NextNonSpace();
        return token.Kind switch
        {
            TokenKind.Text => new TextNode(token.Pos, token.Value),
            TokenKind.LeftDelim => Action(),
            _ => throw Unexpected(token, "input"),
        };
    }

    private Node Action()
    {
        var token = NextNonSpace();
        switch (token.Kind)
        {
            case TokenKind.Block: return BlockControl();
            case TokenKind.Break: return LoopControl(token, "{{break}}", pos => new BreakNode(pos));
            case TokenKind.Continue: return LoopControl(token, "{{continue}}", pos => new ContinueNode(pos));
            case TokenKind.Else: return ElseControl();
            case TokenKind.End: return new EndNode(Expect(TokenKind.RightDelim, "end").Pos);
            case TokenKind.If: return Branch(BranchKind.If);
            case TokenKind.Range: return Branch(BranchKind.Range);
            case TokenKind.Template: return TemplateControl();
            case TokenKind.With: return Branch(BranchKind.With);
        }
        Backup();
        var pipe = Pipeline("command", TokenKind.RightDelim);
        return new ActionNode(pipe.Pos, pipe);
    }

    private Node LoopControl(Token token, string context, Func<int, Node> create)
    {
        var next = NextNonSpace();
        if (next.Kind != TokenKind.RightDelim) throw Unexpected(next, context);
        if (_rangeDepth == 0) throw Error($"{context} outside {{{{range}}}}");
        return create(token.Pos);
    }

    private Node ElseControl()
    {
        var peek = PeekNonSpace();
        if (peek.Kind is TokenKind.If or TokenKind.With) return new ElseNode(peek.Pos); // "else if" / "else with"
        return new ElseNode(Expect(TokenKind.RightDelim, "else").Pos);
    }

    private BranchNode Branch(BranchKind kind)
    {
        string context = kind switch { BranchKind.If => "if", BranchKind.Range => "range", _ => "with" };
        int varsMark = _vars.Count;
        try
        {
            var pipe = Pipeline(context, TokenKind.RightDelim);
            if (kind == BranchKind.Range) _rangeDepth++;
            var (list, next) = ItemList();
            if (kind == BranchKind.Range) _rangeDepth--;
            ListNode? elseList = null;
            if (next is ElseNode)
            {
                // {{else if ...}} is {{else}}{{if ...}}...{{end}}{{end}} with the inner {{end}} shared.
                if ((kind == BranchKind.If && Peek().Kind == TokenKind.If) || (kind == BranchKind.With && Peek().Kind == TokenKind.With))
                {
                    Next();
                    elseList = new ListNode(next.Pos);
                    elseList.Nodes.Add(Branch(kind));
                }
                else
                {
                    (elseList, next) = ItemList();
                    if (next is not EndNode) throw Error($"expected end; found {next}");
                }
            }
            return new BranchNode(kind, pipe.Pos, pipe, list, elseList);
        }
        finally
        {
            _vars.RemoveRange(varsMark, _vars.Count - varsMark);
        }
    }

    private TemplateNode TemplateControl()
    {
        const string context = "template clause";
        var token = NextNonSpace();
        string name = TemplateName(token, context);
        PipeNode? pipe = null;
        if (NextNonSpace().Kind != TokenKind.RightDelim)
        {
            Backup();
            pipe = Pipeline(context, TokenKind.RightDelim);
        }
        return new TemplateNode(token.Pos, name, pipe);
    }

    /// <summary>{{block "name" pipeline}}body{{end}}: defines "name" and executes it in place.</summary>
    private TemplateNode BlockControl()
    {
        const string context = "block clause";
        var token = NextNonSpace();
        string name = TemplateName(token, context);
        var pipe = Pipeline(context, TokenKind.RightDelim);
        var (root, end) = WithOwnScope(ItemList);
        if (end is not EndNode) throw Error($"unexpected {end} in {context}");
        Add(name, root);
        return new TemplateNode(token.Pos, name, pipe);
    }

    private string TemplateName(Token token, string context)
    {
        if (token.Kind is not (TokenKind.String or TokenKind.RawString)) throw Unexpected(token, context);
        return GoStrconv.Unquote(token.Value) ?? throw Error("invalid syntax");
    }

    private PipeNode Pipeline(string context, TokenKind end)
    {
        var pipe = new PipeNode(PeekNonSpace().Pos);
        Declarations(pipe, context);
        while (true)
        {
            var token = NextNonSpace();
            if (token.Kind == end)
            {
                CheckPipeline(pipe, context);
                return pipe;
            }
            switch (token.Kind)
            {
                case TokenKind.Bool or TokenKind.CharConstant or TokenKind.Dot or TokenKind.Field or TokenKind.Identifier
                    or TokenKind.Number or TokenKind.Nil or TokenKind.RawString or TokenKind.String or TokenKind.Variable
                    or TokenKind.LeftParen:
                    Backup();
                    pipe.Cmds.Add(Command());
                    break;
                default:
                    throw Unexpected(token, context);
            }
        }
    }

    /// <summary>"$x :=", "$x =", and for range "$i, $e :=" at the start of a pipeline.</summary>
    private void Declarations(PipeNode pipe, string context)
    {
        while (PeekNonSpace().Kind == TokenKind.Variable)
        {
            int mark = _index;
            var variable = NextNonSpace();
            var next = PeekNonSpace();
            if (next.Kind is TokenKind.Assign or TokenKind.Declare)
            {
                pipe.IsAssign = next.Kind == TokenKind.Assign;
                NextNonSpace();
                pipe.Decl.Add(new VariableNode(variable.Pos, [variable.Value]));
                _vars.Add(variable.Value);
                return;
            }
            if (next.Kind == TokenKind.Char && next.Value == ",")
            {
                NextNonSpace();
                pipe.Decl.Add(new VariableNode(variable.Pos, [variable.Value]));
                _vars.Add(variable.Value);
                if (context == "range" && pipe.Decl.Count < 2)
                {
                    if (PeekNonSpace().Kind is TokenKind.Variable or TokenKind.RightDelim or TokenKind.RightParen) continue;
                    throw Error("range can only initialize variables");
                }
                throw Error($"too many declarations in {context}");
            }
            _index = mark; // "$x" is an argument, not a declaration
            return;
        }
    }

    private void CheckPipeline(PipeNode pipe, string context)
    {
        if (pipe.Cmds.Count == 0) throw Error($"missing value for {context}");
        for (int i = 1; i < pipe.Cmds.Count; i++)
            if (pipe.Cmds[i].Args[0] is BoolNode or DotNode or NilNode or NumberNode or StringNode)
                throw Error($"non executable command in pipeline stage {i + 1}");
    }

    private CommandNode Command()
    {
        var cmd = new CommandNode(PeekNonSpace().Pos);
        while (true)
        {
            PeekNonSpace();
            if (Operand() is { } operand) cmd.Args.Add(operand);
            var token = Next();
            if (token.Kind == TokenKind.Space) continue;
            if (token.Kind is TokenKind.RightDelim or TokenKind.RightParen) Backup();
            else if (token.Kind != TokenKind.Pipe) throw Unexpected(token, "operand");
            break;
        }
        if (cmd.Args.Count == 0) throw Error("empty command");
        return cmd;
    }

    private Node? Operand()
    {
        var node = Term();
        if (node is null || Peek().Kind != TokenKind.Field) return node;
        int pos = Peek().Pos;
        var fields = new List<string>();
        while (Peek().Kind == TokenKind.Field) fields.Add(Next().Value[1..]);
        return node switch
        {
            FieldNode f => new FieldNode(pos, [.. f.Ident, .. fields]),
            VariableNode v => new VariableNode(pos, [.. v.Ident, .. fields]),
            BoolNode or StringNode or NumberNode or NilNode or DotNode => throw Error($"unexpected . after term {GoStrconv.Quote(node.ToString())}"),
            _ => new ChainNode(pos, node, [.. fields]),
        };
    }

    private Node? Term()
    {
        var token = NextNonSpace();
        switch (token.Kind)
        {
            case TokenKind.Identifier:
                if (!_functions.Contains(token.Value)) throw Error($"function {GoStrconv.Quote(token.Value)} not defined");
                return new IdentifierNode(token.Pos, token.Value);
            case TokenKind.Dot:
                return new DotNode(token.Pos);
            case TokenKind.Nil:
                return new NilNode(token.Pos);
            case TokenKind.Variable:
                if (!_vars.Contains(token.Value)) throw Error($"undefined variable {GoStrconv.Quote(token.Value)}");
                return new VariableNode(token.Pos, [token.Value]);
            case TokenKind.Field:
                return new FieldNode(token.Pos, [token.Value[1..]]);
            case TokenKind.Bool:
                return new BoolNode(token.Pos, token.Value == "true");
            case TokenKind.CharConstant or TokenKind.Number:
                return Number(token);
            case TokenKind.LeftParen:
                return Pipeline("parenthesized pipeline", TokenKind.RightParen);
            case TokenKind.String or TokenKind.RawString:
                return new StringNode(token.Pos, token.Value, GoStrconv.Unquote(token.Value) ?? throw Error("invalid syntax"));
        }
        Backup();
        return null;
    }

    /// <summary>Go's reading of a number: an integer and/or a float, and a character constant is its code point.</summary>
    private NumberNode Number(Token token)
    {
        string text = token.Value;
        if (token.Kind == TokenKind.CharConstant)
        {
            int rune = GoStrconv.UnquoteChar(text, out bool malformed) ?? throw Error("invalid syntax");
            if (malformed) throw Error($"malformed character constant: {text}");
            return new NumberNode(token.Pos, text) { IsInt = true, IsFloat = true, Int = rune, Float = rune };
        }
        if (GoStrconv.TryParseInt(text, out long i))
            return new NumberNode(token.Pos, text) { IsInt = true, IsFloat = true, Int = i, Float = i, LooksFloat = LooksFloat(text) };
        if (GoStrconv.TryParseUint(text, out ulong u))
            return new NumberNode(token.Pos, text) { IsFloat = true, Float = u }; // too big for an int: "overflows int" where used
        if (GoStrconv.TryParseFloat(text, out double f))
        {
            if (text.IndexOfAny(['.', 'e', 'E', 'p', 'P']) < 0) throw Error($"integer overflow: {GoStrconv.Quote(text)}");
            bool isInt = Math.Floor(f) == f && f >= long.MinValue && f < 9.2233720368547758e18;
            return new NumberNode(token.Pos, text) { IsFloat = true, Float = f, IsInt = isInt, Int = isInt ? (long)f : 0, LooksFloat = LooksFloat(text) };
        }
        throw Error($"illegal number syntax: {GoStrconv.Quote(text)}");
    }

    private static bool LooksFloat(string text)
    {
        bool hexInt = text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'X' && text.IndexOfAny(['p', 'P']) < 0;
        return !hexInt && text.IndexOfAny(['.', 'e', 'E', 'p', 'P']) >= 0;
    }
}
