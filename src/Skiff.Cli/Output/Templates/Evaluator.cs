using System.Text;

namespace Skiff.Cli.Output.Templates;

/// <summary>
/// Executes a parsed template as Go's text/template/exec does: dot and variables, pipelines with the
/// previous command's result as the last argument, if/with/range/else, break/continue, {{template}}, the
/// function calls with Go's argument checks, and Go's execution errors located at the node being evaluated.
/// While a header row renders, fields evaluate to column names instead of data.
/// </summary>
internal sealed class Evaluator
{
    private const int MaxDepth = 100;

    private enum Flow { Normal, Break, Continue }

    private readonly Template _template;
    private readonly StringBuilder _out;
    private readonly Func<string, string>? _header;
    private List<(string Name, Value Value)> _vars;
    private string _name;
    private Node? _at;
    private int _depth;

    private Evaluator(Template template, StringBuilder output, Func<string, string>? header, Value root)
    {
        _template = template;
        _out = output;
        _header = header;
        _name = template.Name;
        _vars = [("$", root)];
    }

    /// <summary>Renders the template over <paramref name="root"/>; with <paramref name="header"/>, renders its header row.</summary>
    public static void Execute(Template template, Value root, StringBuilder output, Func<string, string>? header = null)
        => new Evaluator(template, output, header, root).Walk(root, template.Root);

    private TemplateException Error(string message)
    {
        if (_at is null) return new TemplateException($"template: {_name}: {message}");
        string location = $"{_template.Name}:{_template.Source.Location(_at.Pos)}";
        return new TemplateException($"template: {location}: executing {GoStrconv.Quote(_name)} at <{_at}>: {message}");
    }

    private Flow Walk(Value dot, Node node)
    {
        _at = node;
        switch (node)
        {
            case ActionNode action:
                var value = EvalPipeline(dot, action.Pipe);
                if (action.Pipe.Decl.Count == 0) Print(action, value);
                return Flow.Normal;
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            case BranchNode { Kind: BranchKind.Range } range:
                return WalkRange(dot, range);
            case BranchNode branch:
                return WalkIfOrWith(dot, branch);
            case ListNode list:
                foreach (var child in list.Nodes)
                {
                    var flow = Walk(dot, child);
                    if (flow != Flow.Normal) return flow;
                }
                return Flow.Normal;
            case TemplateNode call:
                WalkTemplate(dot, call);
                return Flow.Normal;
            case TextNode text:
                _out.Append(text.Text);
                return Flow.Normal;
            default:
                throw Error($"unknown node: {node}");
        }
    }

    private void Print(Node node, Value value)
    {
        _at = node;
        value = Materialize(value);
        _out.Append(value.IsValid ? GoFmt.Print(value) : "<no value>");
    }

    private Flow WalkIfOrWith(Value dot, BranchNode branch)
    {
        int mark = _vars.Count;
        try
        {
            var value = EvalPipeline(dot, branch.Pipe);
            if (value.IsTrue) return Walk(branch.Kind == BranchKind.With ? value : dot, branch.List);
            return branch.ElseList is null ? Flow.Normal : Walk(dot, branch.ElseList);
        }
        finally
        {
            Pop(mark);
        }
    }

    private Flow WalkRange(Value dot, BranchNode range)
    {
        int outer = _vars.Count;
        try
        {
            var value = EvalPipeline(dot, range.Pipe);
            int mark = _vars.Count;
            var decl = range.Pipe.Decl;

            bool Iterate(Value index, Value element)
            {
                if (decl.Count > 0)
                {
                    if (range.Pipe.IsAssign) SetVar(decl[0].Ident[0], decl.Count > 1 ? index : element);
                    else SetTopVar(1, element);
                }
                if (decl.Count > 1)
                {
                    if (range.Pipe.IsAssign) SetVar(decl[1].Ident[0], element);
                    else SetTopVar(2, index);
                }
                var flow = Walk(element, range.List);
                Pop(mark);
                return flow != Flow.Break;
            }

            bool any = false;
            switch (value.Kind)
            {
                case ValueKind.List:
                    for (int i = 0; i < value.Items.Count; i++)
                    {
                        any = true;
                        if (!Iterate(Value.Of((long)i), value.Element(i))) break;
                    }
                    break;
                case ValueKind.Object when !value.IsStruct:
                    foreach (var (key, element) in value.Entries())
                    {
                        any = true;
                        if (!Iterate(Value.Of(key), element)) break;
                    }
                    break;
                case ValueKind.Int:
                    if (decl.Count > 1) throw Error($"can't use {value.Int} to iterate over more than one variable");
                    for (long i = 0; i < value.Int; i++)
                    {
                        any = true;
                        if (!Iterate(Value.Of(i), Value.Of(i))) break;
                    }
                    break;
                case ValueKind.Header:
                    any = true;
                    Iterate(Value.Of(0L), value);
                    break;
                case ValueKind.Invalid:
                    break;
                default:
                    throw Error($"range can't iterate over {GoFmt.Print(value)}");
            }
            if (!any && range.ElseList is not null) Walk(dot, range.ElseList);
            return Flow.Normal;
        }
        finally
        {
            Pop(outer);
        }
    }

    private void WalkTemplate(Value dot, TemplateNode call)
    {
        _at = call;
        if (!_template.Definitions.TryGetValue(call.Name, out var root)) throw Error($"template {GoStrconv.Quote(call.Name)} not defined");
        if (_depth >= MaxDepth) throw Error($"exceeded maximum template depth ({MaxDepth})");
        var newDot = call.Pipe is null ? Value.Invalid : EvalPipeline(dot, call.Pipe);
        var (name, vars) = (_name, _vars);
        (_name, _vars) = (call.Name, [("$", newDot)]);
        _depth++;
        try
        {
            Walk(newDot, root);
        }
        finally
        {
            _depth--;
            (_name, _vars) = (name, vars);
        }
    }

    private void Push(string name, Value value) => _vars.Add((name, value));

    private void Pop(int mark) => _vars.RemoveRange(mark, _vars.Count - mark);

    private void SetTopVar(int n, Value value) => _vars[^n] = (_vars[^n].Name, value);

    private void SetVar(string name, Value value)
    {
        for (int i = _vars.Count - 1; i >= 0; i--)
        {
            if (_vars[i].Name != name) continue;
            _vars[i] = (name, value);
            return;
        }
        throw Error($"undefined variable: {name}");
    }

    private Value VarValue(string name)
    {
        for (int i = _vars.Count - 1; i >= 0; i--)
            if (_vars[i].Name == name) return _vars[i].Value;
        throw Error($"undefined variable: {name}");
    }

    private Value EvalPipeline(Value dot, PipeNode? pipe)
    {
        if (pipe is null) return Value.Invalid;
        _at = pipe;
        Value? value = null;
        foreach (var cmd in pipe.Cmds) value = EvalCommand(dot, cmd, value);
        foreach (var variable in pipe.Decl)
        {
            if (pipe.IsAssign) SetVar(variable.Ident[0], value!.Value);
            else Push(variable.Ident[0], value!.Value);
        }
        return value!.Value;
    }

    /// <summary>One command of a pipeline; <paramref name="final"/> is the previous command's result, if any.</summary>
    private Value EvalCommand(Value dot, CommandNode cmd, Value? final)
    {
        var first = cmd.Args[0];
        switch (first)
        {
            case FieldNode field:
                return EvalFieldNode(dot, field, cmd.Args, final);
            case ChainNode chain:
                return EvalChainNode(dot, chain, cmd.Args, final);
            case IdentifierNode identifier:
                return EvalFunction(dot, identifier, cmd, cmd.Args, final);
            case PipeNode pipe:
                NotAFunction(cmd.Args, final);
                return EvalPipeline(dot, pipe);
            case VariableNode variable:
                return EvalVariableNode(variable, cmd.Args, final);
        }
        _at = first;
        NotAFunction(cmd.Args, final);
        return first switch
        {
            BoolNode b => Value.Of(b.Value),
            DotNode => dot,
            NilNode => throw Error("nil is not a command"),
            NumberNode n => IdealConstant(n),
            StringNode s => Value.Of(s.Text),
            _ => throw Error($"can't evaluate command {GoStrconv.Quote(first.ToString())}"),
        };
    }

    private void NotAFunction(List<Node>? args, Value? final)
    {
        if (args is not null && (args.Count > 1 || final is not null))
            throw Error($"can't give argument to non-function {args[0]}");
    }

    private Value IdealConstant(NumberNode n)
    {
        _at = n;
        if (n.IsFloat && n.LooksFloat) return Value.Of(n.Float);
        if (n.IsInt) return Value.Of(n.Int);
        throw Error($"{n.Text} overflows int");
    }

    private Value EvalFieldNode(Value dot, FieldNode field, List<Node>? args, Value? final)
    {
        _at = field;
        return EvalFieldChain(dot, field.Ident, args, final);
    }

    private Value EvalChainNode(Value dot, ChainNode chain, List<Node>? args, Value? final)
    {
        _at = chain;
        if (chain.Node is NilNode) throw Error($"indirection through explicit nil in {chain}");
        var receiver = EvalArg(dot, ParamKind.Any, chain.Node, materialize: false);
        return EvalFieldChain(receiver, chain.Field, args, final);
    }

    private Value EvalVariableNode(VariableNode variable, List<Node>? args, Value? final)
    {
        _at = variable;
        var value = VarValue(variable.Ident[0]);
        if (variable.Ident.Length == 1)
        {
            NotAFunction(args, final);
            return value;
        }
        return EvalFieldChain(value, variable.Ident[1..], args, final);
    }

    /// <summary>Fields one after the other; an error is reported at the node evaluated last, as Go does.</summary>
    private Value EvalFieldChain(Value receiver, string[] ident, List<Node>? args, Value? final)
    {
        for (int i = 0; i < ident.Length - 1; i++) receiver = EvalField(ident[i], null, null, receiver);
        return EvalField(ident[^1], args, final, receiver);
    }

    private Value EvalField(string name, List<Node>? args, Value? final, Value receiver)
    {
        bool hasArgs = (args?.Count ?? 0) > 1 || final is not null;
        switch (receiver.Kind)
        {
            case ValueKind.Invalid:
                return Value.Invalid;
            case ValueKind.Header:
                return Value.HeaderOf(receiver.Str.Length == 0 ? name : receiver.Str + "." + name);
            case ValueKind.Object when receiver.Shape?.Kind == ShapeKind.Map:
                if (hasArgs) throw Error($"{name} is not a method but has arguments");
                return receiver.Object.TryGetPropertyValue(name, out var entry) ? Value.From(entry, receiver.Shape.Element) : Value.Invalid;
            case ValueKind.Object:
                bool present = receiver.Object.TryGetPropertyValue(name, out var node);
                bool declared = receiver.Shape?.TryGetField(name, out _) ?? false;
                if (!present && !declared && receiver.Shape?.JsonNameOf(name) is { } jsonName)
                {
                    // A Go field name whose JSON name differs (SdNotifyMode as "sdNotifyMode", ID as "Id").
                    name = jsonName;
                    present = receiver.Object.TryGetPropertyValue(name, out node);
                    declared = true;
                }
                if (!present && !declared) throw Error($"can't evaluate field {name} in type {receiver.Shape?.TypeName ?? "object"}");
                if (hasArgs) throw Error($"{name} has arguments but cannot be invoked as function");
                return Value.From(node, Value.FieldShape(receiver.Shape, name));
            default:
                throw Error($"can't evaluate field {name} in type {receiver.GoType}");
        }
    }

    private Value EvalFunction(Value dot, IdentifierNode identifier, Node cmd, List<Node> args, Value? final)
    {
        _at = identifier;
        var function = Functions.All[identifier.Name];
        return EvalCall(dot, function, cmd, args, final);
    }

    /// <summary>Calls a function: arguments checked against its parameters, and/or short-circuited, errors reported at the command.</summary>
    private Value EvalCall(Value dot, Function function, Node cmd, List<Node> args, Value? final)
    {
        string name = function.Name;
        int given = args.Count - 1;
        int numIn = given + (final is null ? 0 : 1);
        if (function.Variadic is not null)
        {
            if (numIn < function.Fixed.Length) throw Error($"wrong number of args for {name}: want at least {function.Fixed.Length} got {given}");
        }
        else if (numIn != function.Fixed.Length)
        {
            throw Error($"wrong number of args for {name}: want {function.Fixed.Length} got {numIn}");
        }

        if (name is "and" or "or")
        {
            var v = Value.Invalid;
            for (int i = 1; i < args.Count; i++)
            {
                v = EvalArg(dot, ParamKind.Any, args[i]);
                if (v.IsTrue == (name == "or")) return v;
            }
            return final is { } last ? Materialize(last) : v;
        }

        var argv = new Value[numIn];
        for (int i = 0; i < given; i++) argv[i] = EvalArg(dot, function.ParamAt(i), args[i + 1]);
        if (final is { } f) argv[^1] = ValidateType(f, function.ParamAt(numIn - 1));
        try
        {
            return function.Call(argv);
        }
        catch (FunctionException e)
        {
            _at = cmd;
            throw Error($"error calling {name}: {e.Message}");
        }
    }

    /// <summary>A value as the column name it stands for, outside of field lookups.</summary>
    private Value Materialize(Value v)
        => v.Kind == ValueKind.Header ? Value.Of(_header is null ? v.Str : _header(v.Str)) : v;

    private Value EvalArg(Value dot, ParamKind param, Node node, bool materialize = true)
    {
        _at = node;
        Value Check(Value v) => materialize ? ValidateType(v, param) : v;
        switch (node)
        {
            case DotNode:
                return Check(dot);
            case NilNode:
                if (param is ParamKind.Any or ParamKind.StringList) return Value.Invalid;
                throw Error($"cannot assign nil to {Function.GoName(param)}");
            case FieldNode field:
                return Check(EvalFieldNode(dot, field, [node], null));
            case VariableNode variable:
                return Check(EvalVariableNode(variable, null, null));
            case PipeNode pipe:
                return Check(EvalPipeline(dot, pipe));
            case IdentifierNode identifier:
                return Check(EvalFunction(dot, identifier, identifier, [identifier], null));
            case ChainNode chain:
                return Check(EvalChainNode(dot, chain, null, null));
        }
        switch (param)
        {
            case ParamKind.String:
                return node is StringNode s ? Value.Of(s.Text) : throw Error($"expected string; found {node}");
            case ParamKind.Int:
                return node is NumberNode { IsInt: true } n ? Value.Of(n.Int) : throw Error($"expected integer; found {node}");
            case ParamKind.StringList:
                throw Error($"can't handle {node} for arg of type []string");
        }
        return node switch
        {
            BoolNode b => Value.Of(b.Value),
            NumberNode n => IdealConstant(n),
            StringNode s => Value.Of(s.Text),
            _ => throw Error($"can't handle assignment of {node} to empty interface argument"),
        };
    }

    /// <summary>Go's validateType: a computed argument must be of the parameter's type.</summary>
    private Value ValidateType(Value v, ParamKind param)
    {
        v = Materialize(v);
        if (!v.IsValid)
        {
            if (param is ParamKind.Any or ParamKind.StringList) return Value.Invalid;
            throw Error($"invalid value; expected {Function.GoName(param)}");
        }
        bool ok = param switch
        {
            ParamKind.String => v.Kind == ValueKind.String,
            ParamKind.Int => v.Kind == ValueKind.Int,
            ParamKind.StringList => v.Kind == ValueKind.List && Enumerable.Range(0, v.Items.Count).All(i => v.Element(i).Kind == ValueKind.String),
            _ => true,
        };
        if (ok) return v;
        if (param == ParamKind.StringList && v.Kind == ValueKind.String && _header is not null) return Value.ListOf([v.Str]); // a column name where a list goes
        throw Error($"wrong type for value; expected {Function.GoName(param)}; got {v.GoType}");
    }
}
