using System.Text;

namespace Skiff.Runtime.Cli;

/// <summary>`skiff-runtime --help` (every verb with its flags) and `skiff-runtime VERB --help` (runc's layout).</summary>
public static class Help
{
    private const int Width = 100;

    public static string Overview()
    {
        var b = new StringBuilder();
        b.AppendLine("NAME:");
        b.AppendLine("   skiff-runtime - Skiff's OCI runtime, driven like runc (create, start, state, kill, delete, run, exec, ...)");
        b.AppendLine();
        b.AppendLine("USAGE:");
        b.AppendLine("   skiff-runtime [global options] command [command options] [arguments...]");
        b.AppendLine();
        b.AppendLine("VERSION:");
        b.AppendLine($"   {Commands.VersionCommand.Version}");
        b.AppendLine();
        b.AppendLine("COMMANDS:");
        foreach (var verb in VerbTable.Verbs.Where(v => !v.Hidden))
        {
            string names = string.Join(", ", [verb.Name, .. verb.Aliases]);
            b.Append("   ").Append(names.PadRight(11)).Append(' ').AppendLine(verb.Summary);
            if (verb.NotSupported is not null) b.AppendLine($"               (not supported)");
            else if (verb.Flags.Count > 0) Wrap(b, "               ", verb.Flags.Select(f => f.Label));
        }
        b.AppendLine();
        b.AppendLine("GLOBAL OPTIONS:");
        AppendFlags(b, VerbTable.Global);
        b.AppendLine();
        b.AppendLine("Run 'skiff-runtime COMMAND --help' for a command's options.");
        return b.ToString();
    }

    public static string Verb(VerbSpec verb)
    {
        ArgumentNullException.ThrowIfNull(verb);
        var b = new StringBuilder();
        b.AppendLine("NAME:");
        b.AppendLine($"   skiff-runtime {verb.Name} - {verb.Summary}");
        b.AppendLine();
        b.AppendLine("USAGE:");
        b.AppendLine($"   skiff-runtime {verb.Name}{(verb.Flags.Count > 0 ? " [command options]" : "")} {verb.Operands}".TrimEnd());
        if (verb.NotSupported is { } why)
        {
            b.AppendLine();
            b.AppendLine($"   {why}");
        }
        b.AppendLine();
        b.AppendLine("OPTIONS:");
        AppendFlags(b, [.. verb.Flags, new FlagSpec("help", FlagKind.Switch, "show help") { Short = "h" }]);
        return b.ToString();
    }

    private static void AppendFlags(StringBuilder b, IReadOnlyList<FlagSpec> flags)
    {
        int width = flags.Count == 0 ? 0 : flags.Max(f => f.Label.Length);
        foreach (var f in flags)
        {
            string help = f.Help;
            if (f.Default is { } d) help += $" (default: \"{d}\")";
            if (f.Support == FlagSupport.Ignored) help += $" [accepted, no effect: {f.Note}]";
            if (f.Support == FlagSupport.NotSupported) help += $" [not supported: {f.Note}]";
            b.Append("   ").Append(f.Label.PadRight(width)).Append("  ").AppendLine(help);
        }
    }

    private static void Wrap(StringBuilder b, string indent, IEnumerable<string> items)
    {
        var line = new StringBuilder(indent);
        foreach (string item in items)
        {
            if (line.Length > indent.Length && line.Length + 2 + item.Length > Width)
            {
                b.AppendLine(line.ToString().TrimEnd());
                line.Clear().Append(indent);
            }
            if (line.Length > indent.Length) line.Append("  ");
            line.Append(item);
        }
        if (line.Length > indent.Length) b.AppendLine(line.ToString());
    }
}
