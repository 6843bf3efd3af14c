using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// The parse tree, shaped as Go's text/template/parse: each node knows its offset in the template (for
/// error locations) and prints itself as Go does (for the "at &lt;...&gt;" part of execution errors).
/// </summary>
internal abstract class Node(int pos)
{
    public int Pos { get; } = pos;

    public abstract void WriteTo(StringBuilder sb);

    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }
}

internal sealed class ListNode(int pos) : Node(pos)
{
    public List<Node> Nodes { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        foreach (var n in Nodes) n.WriteTo(sb);
    }
}

internal sealed class TextNode(int pos, string text) : Node(pos)
{
    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(Text);
}

internal sealed class ActionNode(int pos, PipeNode pipe) : Node(pos)
{
    public PipeNode Pipe { get; } = pipe;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{");
        Pipe.WriteTo(sb);
        sb.Append("}}");
    }
}

internal sealed class PipeNode(int pos) : Node(pos)
{
    public bool IsAssign { get; set; }

    public List<VariableNode> Decl { get; } = [];

    public List<CommandNode> Cmds { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        if (Decl.Count > 0)
        {
            for (int i = 0; i < Decl.Count; i++)
            {
                if (i > 0) sb.Append(", ");
                Decl[i].WriteTo(sb);
            }
            sb.Append(IsAssign ? " = " : " := ");
        }
        for (int i = 0; i < Cmds.Count; i++)
        {
            if (i > 0) sb.Append(" | ");
            Cmds[i].WriteTo(sb);
        }
    }
}

internal sealed class CommandNode(int pos) : Node(pos)
{
    public List<Node> Args { get; } = [];

    public override void WriteTo(StringBuilder sb)
    {
        for (int i = 0; i < Args.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            if (Args[i] is PipeNode pipe)
            {
                sb.Append('(');
                pipe.WriteTo(sb);
                sb.Append(')');
            }
            else Args[i].WriteTo(sb);
        }
    }
}

/// <summary>.A.B.C: a chain of fields from dot.</summary>
internal sealed class FieldNode(int pos, string[] ident) : Node(pos)
{
    public string[] Ident { get; } = ident;

    public override void WriteTo(StringBuilder sb)
    {
        foreach (string id in Ident) sb.Append('.').Append(id);
    }
}

/// <summary>$x or $x.A.B: Ident[0] is the variable's name, with its "$".</summary>
internal sealed class VariableNode(int pos, string[] ident) : Node(pos)
{
    public string[] Ident { get; } = ident;

    public override void WriteTo(StringBuilder sb) => sb.AppendJoin('.', Ident);
}

/// <summary>(pipeline).A.B: fields of a term that is neither dot, a field nor a variable.</summary>
internal sealed class ChainNode(int pos, Node node, string[] field) : Node(pos)
{
    public Node Node { get; } = node;

    public string[] Field { get; } = field;

    public override void WriteTo(StringBuilder sb)
    {
        if (Node is PipeNode)
        {
            sb.Append('(');
            Node.WriteTo(sb);
            sb.Append(')');
        }
        else Node.WriteTo(sb);
        foreach (string f in Field) sb.Append('.').Append(f);
    }
}

internal sealed class IdentifierNode(int pos, string name) : Node(pos)
{
    public string Name { get; } = name;

    public override void WriteTo(StringBuilder sb) => sb.Append(Name);
}

internal sealed class DotNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append('.');
}

internal sealed class NilNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("nil");
}

internal sealed class BoolNode(int pos, bool value) : Node(pos)
{
    public bool Value { get; } = value;

    public override void WriteTo(StringBuilder sb) => sb.Append(Value ? "true" : "false");
}

/// <summary>A number as written, with the readings Go's parser makes of it (an integer, a float, or both).</summary>
internal sealed class NumberNode(int pos, string text) : Node(pos)
{
    public string Text { get; } = text;

    public bool IsInt { get; init; }

    public bool IsFloat { get; init; }

    public long Int { get; init; }

    public double Float { get; init; }

    /// <summary>Written as a float (1.5, 1e6), so it is a float64 where nothing asks for a type.</summary>
    public bool LooksFloat { get; init; }

    public override void WriteTo(StringBuilder sb) => sb.Append(Text);
}

internal sealed class StringNode(int pos, string quoted, string text) : Node(pos)
{
    public string Quoted { get; } = quoted;

    public string Text { get; } = text;

    public override void WriteTo(StringBuilder sb) => sb.Append(Quoted);
}

internal enum BranchKind { If, Range, With }

/// <summary>{{if}}, {{range}} and {{with}}: a pipeline, a body and an optional {{else}} body.</summary>
internal sealed class BranchNode(BranchKind kind, int pos, PipeNode pipe, ListNode list, ListNode? elseList) : Node(pos)
{
    public BranchKind Kind { get; } = kind;

    public PipeNode Pipe { get; } = pipe;

    public ListNode List { get; } = list;

    public ListNode? ElseList { get; } = elseList;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{").Append(Kind switch { BranchKind.If => "if", BranchKind.Range => "range", _ => "with" }).Append(' ');
        Pipe.WriteTo(sb);
        sb.Append("}}");
        List.WriteTo(sb);
        if (ElseList is not null)
        {
            sb.Append("{{else}}");
            ElseList.WriteTo(sb);
        }
        sb.Append("{{end}}");
    }
}

internal sealed class TemplateNode(int pos, string name, PipeNode? pipe) : Node(pos)
{
    public string Name { get; } = name;

    public PipeNode? Pipe { get; } = pipe;

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append("{{template ").Append(GoStrconv.Quote(Name));
        if (Pipe is not null)
        {
            sb.Append(' ');
            Pipe.WriteTo(sb);
        }
        sb.Append("}}");
    }
}

internal sealed class BreakNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{break}}");
}

internal sealed class ContinueNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{continue}}");
}

/// <summary>{{end}} and {{else}}: seen by the parser only, they close or split a branch.</summary>
internal sealed class EndNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{end}}");
}

internal sealed class ElseNode(int pos) : Node(pos)
{
    public override void WriteTo(StringBuilder sb) => sb.Append("{{else}}");
}
