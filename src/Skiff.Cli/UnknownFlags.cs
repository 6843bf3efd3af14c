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
        string verbPath = "";
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") return null;
            if (verb is null && !a.StartsWith('-'))
            {
                verb = root.Subcommands.FirstOrDefault(c => c.Name == a || c.Aliases.Contains(a));
                if (verb is null) return null; // an unknown verb: the parser says so
                verbPath = a + " ";
                continue;
            }
            if (!a.StartsWith('-') || a == "-")
            {
                if (verb?.Name is "run" or "create" or "exec") return null; // the image: the rest is the container's
                if (verb?.Subcommands.FirstOrDefault(c => c.Name == a || c.Aliases.Contains(a)) is { } sub) // container rm
                {
                    verb = sub;
                    verbPath += a + " ";
                }
                continue;
            }
            var known = Options(root, verb);
            string name = a.Split('=', 2)[0];
            if (known.TryGetValue(name, out var option))
            {
                if (TakesValue(option) && !a.Contains('=', StringComparison.Ordinal)) i++;
                continue;
            }
            // -it: single-letter flags written together
            if (name.Length > 2 && name[1] != '-')
            {
                foreach (char c in name[1..])
                {
                    if (!known.TryGetValue("-" + c, out var letter)) return $"unknown shorthand flag: '{c}' in {a}{Hint(verbPath)}";
                    if (TakesValue(letter)) break; // -t0, -it5: the rest is the value
                }
                continue;
            }
            // podman (cobra) names a single unknown letter as a shorthand: "unknown shorthand flag: 'Z' in -Z"
            if (name.Length == 2 && name[1] != '-') return $"unknown shorthand flag: '{name[1]}' in {a}{Hint(verbPath)}";
            return $"unknown flag: {name}{Hint(verbPath)}";
        }
        return null;
    }

    /// <summary>podman's hint names the verb as typed, subcommand included: "See 'podman volume ls --help'".</summary>
    private static string Hint(string verbPath) => $"\nSee 'skiff {verbPath}--help'";

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
