using Skiff.Runtime;

namespace Skiff.Runtime.Cli;

/// <summary>
/// Go-flag style parsing as runc accepts it: global flags, the verb, its flags and its operands;
/// "-f" and "--f", "--f=v" and "--f v".
/// </summary>
public sealed class CommandLine
{
    public RuntimeOptions Options { get; } = new();
    public string Verb { get; private set; } = "";
    public Dictionary<string, string?> Flags { get; } = new(StringComparer.Ordinal);
    public List<string> Operands { get; } = [];

    // Flags that take a value; every other flag is a switch.
    private static readonly HashSet<string> Valued = new(StringComparer.Ordinal)
    {
        "root", "log", "log-format", "criu", "rootless", "bundle", "b", "pid-file", "console-socket", "preserve-fds",
        "pidfd-socket", "format", "f",
        // [cgroups] update and events
        "resources", "r", "memory", "memory-swap", "memory-reservation", "kernel-memory", "kernel-memory-tcp", "cpu-share", "cpu-shares",
        "cpu-quota", "cpu-period", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems", "pids-limit", "blkio-weight",
        "l3-cache-schema", "mem-bw-schema", "interval",
    };

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var line = new CommandLine();
        int i = 0;
        for (; i < args.Count && args[i].StartsWith('-') && args[i] != "-"; i++)
        {
            var (name, value) = Split(args, ref i);
            switch (name)
            {
                case "root": line.Options.Root = value!; break;
                case "log": line.Options.LogFile = value; break;
                case "log-format": line.Options.LogFormat = value!; break;
                case "systemd-cgroup": line.Options.SystemdCgroup = true; break;
                case "version" or "v": line.Verb = "version"; return line;
                case "help" or "h": line.Verb = "help"; return line;
                default: break; // --debug, --criu, --rootless: accepted, no effect
            }
        }
        if (i >= args.Count) throw new RuntimeException("no command given (create, start, state, kill, delete, run, features)");
        line.Verb = args[i++];
        for (; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") { line.Operands.AddRange(args.Skip(i + 1)); break; }
            if (a.StartsWith('-') && a.Length > 1 && !IsNegativeNumber(a))
            {
                var (name, value) = Split(args, ref i);
                line.Flags[name] = value;
            }
            else line.Operands.Add(a);
        }
        return line;
    }

    private static bool IsNegativeNumber(string a) => a.Length > 1 && char.IsAsciiDigit(a[1]);

    private static (string Name, string? Value) Split(IReadOnlyList<string> args, ref int i)
    {
        string name = args[i].TrimStart('-');
        int eq = name.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0) return (name[..eq], name[(eq + 1)..]);
        if (!Valued.Contains(name)) return (name, null);
        if (i + 1 >= args.Count) throw new RuntimeException($"flag needs an argument: --{name}");
        return (name, args[++i]);
    }

    public string? Flag(params string[] names)
    {
        foreach (string n in names)
            if (Flags.TryGetValue(n, out string? v)) return v ?? "true";
        return null;
    }

    public bool Switch(params string[] names) => Flag(names) is { } v && v is not ("false" or "0");

    public string Id(string verb) => Operands.Count > 0 ? Operands[0] : throw new RuntimeException($"{verb}: container id is required");
}
