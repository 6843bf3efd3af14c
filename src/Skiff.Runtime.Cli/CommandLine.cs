using Skiff.Runtime;

namespace Skiff.Runtime.Cli;

/// <summary>A switch (bool), a flag with one value (the last one given wins) or a repeatable one (every value kept).</summary>
public enum FlagKind { Switch, Value, List }

/// <summary>How far a flag runc accepts is carried out here.</summary>
public enum FlagSupport
{
    /// <summary>Parsed into the verb's options and acted on (or handed to the lifecycle, see the TODOs there).</summary>
    Implemented,
    /// <summary>Accepted and ignored: runc users pass it and ignoring it is harmless (<see cref="FlagSpec.Note"/> says why).</summary>
    Ignored,
    /// <summary>Refused with a clear error (<see cref="FlagSpec.Note"/>).</summary>
    NotSupported,
}

/// <summary>One flag of a verb (or a global flag): runc's long name, its short form, its kind and its help line.</summary>
public sealed record FlagSpec(string Name, FlagKind Kind, string Help)
{
    public string? Short { get; init; }
    /// <summary>What the value is, in help ("value" as runc's help says).</summary>
    public string ValueName { get; init; } = "value";
    public string? Default { get; init; }
    public FlagSupport Support { get; init; } = FlagSupport.Implemented;
    /// <summary>Why an ignored flag is harmless, or why a refused one is refused.</summary>
    public string? Note { get; init; }

    public string Label
    {
        get
        {
            string v = Kind == FlagKind.Switch ? "" : " " + ValueName;
            return Short is null ? $"--{Name}{v}" : $"--{Name}{v}, -{Short}{v}";
        }
    }
}

/// <summary>A verb: its flags, how many operands it takes, and whether flags end at its first operand (exec, ps).</summary>
public sealed record VerbSpec(string Name, string Summary, string Operands)
{
    public IReadOnlyList<FlagSpec> Flags { get; init; } = [];
    public int MinOperands { get; init; }
    /// <summary>-1: any number.</summary>
    public int MaxOperands { get; init; }
    /// <summary>Everything after the first operand belongs to it (exec's command, ps's options), flags included.</summary>
    public bool FlagsEndAtFirstOperand { get; init; }
    /// <summary>Set for verbs runc has and this runtime refuses as a whole (checkpoint, restore).</summary>
    public string? NotSupported { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>Not listed in help (compatibility spellings).</summary>
    public bool Hidden { get; init; }

    public FlagSpec? Find(string name) => Flags.FirstOrDefault(f => f.Name == name || f.Short == name);
}

/// <summary>A verb's flags and operands as given.</summary>
public sealed class ParsedVerb(VerbSpec spec)
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public VerbSpec Spec { get; } = spec;
    public List<string> Operands { get; } = [];
    /// <summary>--help or -h was given: print the verb's help instead of running it.</summary>
    public bool Help { get; set; }

    internal void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list)) _values[name] = list = [];
        list.Add(value);
    }

    public bool IsSet(string name) => _values.ContainsKey(name);

    /// <summary>The last value given (Go's flag package: the last one wins), or null.</summary>
    public string? Value(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    /// <summary>Every value of a repeatable flag, in order.</summary>
    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public bool Switch(string name) => Value(name) == "true";

    /// <summary>A switch as given (true or false), or null when absent.</summary>
    public bool? OptionalSwitch(string name) => Value(name) is { } v ? v == "true" : null;
}

/// <summary>
/// The command line with Go's flag syntax, as runc (urfave/cli over Go's flag package) reads it: "-f" and "--f"
/// alike, "--f=v" and "--f v" for a flag with a value (the next argument is taken whatever it looks like),
/// switches true alone or "--f=true|false" (also 1, 0, t, f, T, F, TRUE, FALSE, True, False). Global flags come
/// before the verb; the verb's flags may come before or after its operands (urfave/cli moves them), except for
/// exec and ps, where everything after the container id belongs to the process. "--" ends the flags. An unknown
/// flag is an error naming it and the verb, never an operand.
/// </summary>
public sealed class CommandLine
{
    public RuntimeOptions Options { get; } = new();
    /// <summary>The verb's canonical name; "help" and "version" for those requests.</summary>
    public string Verb { get; private set; } = "";
    /// <summary>The verb's flags and operands (also for help: the topic is its operand).</summary>
    public ParsedVerb? Parsed { get; private set; }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var line = new CommandLine();
        int next = line.ParseGlobals(args);
        line.ParseVerb(args, next);
        return line;
    }

    /// <summary>Reads the global flags; returns the index of the verb (args.Count when none).</summary>
    public int ParseGlobals(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int i = 0;
        for (; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") return i + 1;
            if (!IsFlag(a)) return i;
            var (name, inline, token) = Split(a);
            var spec = VerbTable.Global.FirstOrDefault(f => f.Name == name || f.Short == name);
            if (spec is null)
            {
                string hint = VerbTable.Verbs.Any(v => v.Find(name) is not null)
                    ? " (a command's flag goes after the command)" : "";
                throw new RuntimeException($"flag provided but not defined: {token}{hint}; see 'skiff-runtime --help'");
            }
            string value = ValueOf(spec, token, inline, args, ref i, "");
            switch (spec.Name)
            {
                case "root": Options.Root = value; break;
                case "log": Options.LogFile = value; break;
                case "log-format":
                    Options.LogFormat = value is "text" or "json" ? value : throw new RuntimeException($"invalid --log-format {value}: use text or json");
                    break;
                case "debug": Options.Debug = value == "true"; break;
                case "systemd-cgroup": Options.SystemdCgroup = value == "true"; break;
                case "rootless":
                    Options.Rootless = value switch
                    {
                        "true" => true,
                        "false" => false,
                        "auto" => null,
                        _ => throw new RuntimeException($"invalid --rootless {value}: use true, false or auto"),
                    };
                    break;
                case "criu": Options.Criu = value; break;
                case "help" when value == "true": Verb = "help"; Parsed = new ParsedVerb(VerbTable.Help); return args.Count;
                case "version" when value == "true": Verb = "version"; Parsed = new ParsedVerb(VerbTable.Version); return args.Count;
                default: break;
            }
        }
        return i;
    }

    /// <summary>Reads the verb at <paramref name="start"/>, its flags and operands, and checks the operand count.</summary>
    public void ParseVerb(IReadOnlyList<string> args, int start)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (Verb is "help" or "version") return;
        if (start >= args.Count)
        {
            // runc without a command prints its help.
            Verb = "help";
            Parsed = new ParsedVerb(VerbTable.Help);
            return;
        }
        string name = args[start];
        var spec = VerbTable.Find(name) ?? throw new RuntimeException($"unknown command \"{name}\"; see 'skiff-runtime --help' for the commands");
        if (spec.NotSupported is { } why) throw new RuntimeException(why);
        Verb = spec.Name;
        var parsed = Parsed = new ParsedVerb(spec);
        bool flags = true, droppedDashes = false;
        for (int i = start + 1; i < args.Count; i++)
        {
            string a = args[i];
            if (flags && a == "--") { flags = false; continue; }
            if (flags && IsFlag(a))
            {
                ReadFlag(parsed, args, ref i);
                continue;
            }
            if (spec.FlagsEndAtFirstOperand)
            {
                flags = false;
                // exec ID -- CMD: the "--" right after the id separates it from the command.
                if (parsed.Operands.Count == 1 && a == "--" && !droppedDashes) { droppedDashes = true; continue; }
            }
            parsed.Operands.Add(a);
        }
        if (parsed.Help) return;
        int count = parsed.Operands.Count;
        if (count < spec.MinOperands || (spec.MaxOperands >= 0 && count > spec.MaxOperands))
        {
            string expected = spec.MaxOperands == 0 ? "no arguments"
                : spec.MaxOperands < 0 ? $"at least {spec.MinOperands} {Plural(spec.MinOperands)}"
                : spec.MinOperands == spec.MaxOperands ? $"exactly {spec.MinOperands} {Plural(spec.MinOperands)}"
                : spec.MaxOperands == spec.MinOperands + 1 ? $"{spec.MinOperands} or {spec.MaxOperands} arguments"
                : $"{spec.MinOperands} to {spec.MaxOperands} arguments";
            string usage = spec.Operands.Trim().Length > 0 ? $" ({spec.Operands.Trim()})" : "";
            throw new RuntimeException($"\"{spec.Name}\" takes {expected}{usage}, got {count}; see 'skiff-runtime {spec.Name} --help'");
        }
    }

    private static string Plural(int n) => n == 1 ? "argument" : "arguments";

    private static void ReadFlag(ParsedVerb parsed, IReadOnlyList<string> args, ref int i)
    {
        var verb = parsed.Spec;
        var (name, inline, token) = Split(args[i]);
        if (name is "help" or "h" && verb.Find(name) is null)
        {
            parsed.Help = inline is null || ParseBool(inline, token, verb.Name);
            return;
        }
        var spec = verb.Find(name);
        if (spec is null)
        {
            if (VerbTable.Global.Any(f => f.Name == name || f.Short == name))
                throw new RuntimeException($"{verb.Name}: {token} is a global flag: put it before the command (skiff-runtime {token} ... {verb.Name} ...)");
            throw new RuntimeException($"{verb.Name}: flag provided but not defined: {token}; see 'skiff-runtime {verb.Name} --help'");
        }
        string value = ValueOf(spec, token, inline, args, ref i, verb.Name);
        if (spec.Support == FlagSupport.NotSupported)
            throw new RuntimeException($"{verb.Name} {token}: {spec.Note ?? "not supported"}");
        parsed.Add(spec.Name, value);
    }

    private static string ValueOf(FlagSpec spec, string token, string? inline, IReadOnlyList<string> args, ref int i, string verb)
    {
        if (spec.Kind == FlagKind.Switch) return inline is null || ParseBool(inline, token, verb) ? "true" : "false";
        if (inline is not null) return inline;
        if (i + 1 >= args.Count)
            throw new RuntimeException($"{(verb.Length > 0 ? verb + ": " : "")}flag needs an argument: {token}");
        return args[++i];
    }

    /// <summary>Whether an argument is a flag (not "-" alone, which is an operand such as stdin).</summary>
    private static bool IsFlag(string a) => a.Length >= 2 && a[0] == '-';

    /// <summary>"--name=value" into (name, value, "--name"); "---x", "-=x" are bad syntax as in Go.</summary>
    private static (string Name, string? Inline, string Token) Split(string arg)
    {
        int dashes = arg[1] == '-' ? 2 : 1;
        string body = arg[dashes..];
        if (body.Length == 0 || body[0] == '-' || body[0] == '=') throw new RuntimeException($"bad flag syntax: {arg}");
        int eq = body.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (body, null, arg) : (body[..eq], body[(eq + 1)..], arg[..(dashes + eq)]);
    }

    /// <summary>Go's strconv.ParseBool.</summary>
    public static bool ParseBool(string value, string token, string verb) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new RuntimeException($"{(verb.Length > 0 ? verb + ": " : "")}invalid boolean value \"{value}\" for {token}: use true or false"),
    };
}
