using System.CommandLine;

namespace Skiff.Cli;

/// <summary>
/// A flag the verb does not know is an error that names it, as podman's is (`Error: unknown flag: --bogus`,
/// exit 125), never a value taken for something else: System.CommandLine would bind an unknown `-d` to run's
/// IMAGE, or `rm -t 0` to container names. Checked on the tokens before the verb's first argument that is
/// not an option (for run: the image; what follows is the container's own command line).
/// </summary>
public static class UnknownFlags
{
    /// <summary>The error for the first unknown flag in <paramref name="args"/>, or null when every flag is known.</summary>
    public static string? Find(RootCommand root, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        Command? verb = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") return null;
            if (verb is null && !a.StartsWith('-'))
            {
                verb = root.Subcommands.FirstOrDefault(c => c.Name == a || c.Aliases.Contains(a));
                if (verb is null) return null; // an unknown verb: the parser says so
                continue;
            }
            if (!a.StartsWith('-') || a == "-")
            {
                if (verb?.Name is "run" or "create" or "exec") return null; // the image: the rest is the container's
                if (verb?.Subcommands.FirstOrDefault(c => c.Name == a || c.Aliases.Contains(a)) is { } sub) verb = sub; // container rm
                continue;
            }
            var known = Options(root, verb);
            string name = a.Split('=', 2)[0];
            if (known.TryGetValue(name, out var option))
            {
                if (TakesValue(option) && !a.Contains('=', StringComparison.Ordinal)) i++;
                continue;
            }
            // -it: single-letter flags written together (and -Z alone: pflag's "unknown shorthand flag" too)
            if (name.Length >= 2 && name[1] != '-')
            {
                foreach (char c in name[1..])
                {
                    if (!known.TryGetValue("-" + c, out var letter)) return $"unknown shorthand flag: '{c}' in {a}{Hint(verb)}";
                    if (TakesValue(letter)) break; // -t0, -it5: the rest is the value
                }
                continue;
            }
            return $"unknown flag: {name}{Hint(verb)}";
        }
        return null;
    }

    /// <summary>podman's hint, naming the whole command ("skiff container prune --help").</summary>
    private static string Hint(Command? verb)
    {
        var names = new List<string>();
        for (Symbol? s = verb; s is Command c and not RootCommand; s = c.Parents.FirstOrDefault()) names.Insert(0, c.Name);
        return $"\nSee 'skiff {string.Concat(names.Select(n => n + " "))}--help'";
    }

    private static Dictionary<string, Option> Options(RootCommand root, Command? verb)
    {
        var all = new Dictionary<string, Option>(StringComparer.Ordinal) { ["--help"] = null!, ["-h"] = null!, ["-?"] = null!, ["--version"] = null! };
        foreach (var o in root.Options.Concat(verb?.Options ?? []))
        {
            all[o.Name] = o;
            foreach (string alias in o.Aliases) all[alias] = o;
        }
        return all;
    }

    private static bool TakesValue(Option? option) =>
        option is not null && option.ValueType != typeof(bool) && option.ValueType != typeof(bool?) && option.Arity.MaximumNumberOfValues > 0;
}
