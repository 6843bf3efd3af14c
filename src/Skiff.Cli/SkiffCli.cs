using System.CommandLine;
using Skiff.Cli.Commands;
using Skiff.Engine;
using Skiff.Engine.Configuration;
using Skiff.Engine.Rootless;

namespace Skiff.Cli;

/// <summary>Entry point: global options, the verbs (one file each under Commands/), errors to podman's exit codes.</summary>
public static class SkiffCli
{
    public const string Version = "0.1.0";

    /// <summary>Verbs that touch storage or run containers: rootless, they run inside the user namespace.</summary>
    private static readonly HashSet<string> NamespacedVerbs =
        ["run", "create", "exec", "attach", "start", "stop", "restart", "kill", "wait", "logs", "ps", "container", "pull", "rmi", "rm", "volume", "inspect", "image", "tag", "untag", "history", "save", "load"];

    /// <summary>Global options that take a value (needed to find the verb before parsing).</summary>
    internal static readonly HashSet<string> GlobalValueOptions = ["--root", "--runroot", "--runtime", "--log-level", "--cgroup-manager", "--events-backend", "--storage-driver"];

    public static async Task<int> MainAsync(string[] args)
    {
        try
        {
            string? verb = FindVerb(args);
            if (verb is not null && NamespacedVerbs.Contains(verb) && UserNamespace.NeedsReexec)
                return UserNamespace.ReexecInside(args);

            var root = BuildCommandLine();

            if (UnknownFlags.Find(root, args) is { } unknown) return Fail(unknown, ExitCodes.EngineError);
            var parse = root.Parse(RunCommand.ProtectContainerCommand(args));
            if (parse.Errors.Count > 0)
                return Fail(CommandError(parse) ?? (parse.Errors.FirstOrDefault(e => e.SymbolResult != parse.CommandResult) ?? parse.Errors[0]).Message,
                    ExitCodes.EngineError);
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            return Fail(UserMessages.Of(e), e.ExitCode);
        }
        catch (Exception e)
        {
            // Every other failure is the engine's: one line, exit 125 (SKIFF_DEBUG=1 shows where it came from).
            return Fail(Environment.GetEnvironmentVariable("SKIFF_DEBUG") == "1" ? e.ToString() : UserMessages.Of(e), ExitCodes.EngineError);
        }
    }

    /// <summary>The whole command line: the global options and every verb.</summary>
    public static RootCommand BuildCommandLine()
    {
        var global = new GlobalOptions();
        var root = new RootCommand("Skiff: a daemonless container engine, compatible with podman and docker.");
        global.AddTo(root);
        root.Subcommands.Add(RunCommand.Create(global));
        root.Subcommands.Add(RunCommand.CreateOnly(global));
        root.Subcommands.Add(StartCommand.Create(global));
        root.Subcommands.Add(StopCommand.Create(global));
        root.Subcommands.Add(StopCommand.Restart(global));
        root.Subcommands.Add(KillCommand.Create(global));
        root.Subcommands.Add(WaitCommand.Create(global));
        root.Subcommands.Add(LogsCommand.Create(global));
        root.Subcommands.Add(ExecCommand.Create(global));
        root.Subcommands.Add(AttachCommand.Create(global));
        root.Subcommands.Add(ContainerCommand.Create(global));
        root.Subcommands.Add(PullCommand.Create(global));
        root.Subcommands.Add(ImagesCommand.Create(global));
        root.Subcommands.Add(RmiCommand.Create(global));
        root.Subcommands.Add(TagCommand.Tag(global));
        root.Subcommands.Add(TagCommand.Untag(global));
        root.Subcommands.Add(HistoryCommand.Create(global));
        root.Subcommands.Add(SaveLoadCommands.Save(global));
        root.Subcommands.Add(SaveLoadCommands.Load(global));
        root.Subcommands.Add(PsCommand.Create(global));
        root.Subcommands.Add(RmCommand.Create(global));
        root.Subcommands.Add(VersionCommand.Create(global));
        root.Subcommands.Add(InfoCommand.Create(global));
        root.Subcommands.Add(VolumeCommand.Create(global));
        root.Subcommands.Add(EventsCommand.Create(global));
        root.Subcommands.Add(SystemCommand.Create(global));
        root.Subcommands.Add(InspectCommand.Create(global));
        root.Subcommands.Add(ImageCommand.Create(global));
        return root;
    }

    /// <summary>
    /// podman's words when the verb itself is wrong: `unrecognized command `skiff bogus`` (with where to look) for
    /// an unknown verb or sub-verb, `missing command 'skiff COMMAND'` for none; null for any other parse error.
    /// </summary>
    public static string? CommandError(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command.Subcommands.Count == 0) return null;
        var names = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, c.Command is RootCommand ? "skiff" : c.Command.Name);
        string path = string.Join(' ', names);
        if (parse.UnmatchedTokens.Count > 0)
            return $"unrecognized command `{path} {parse.UnmatchedTokens[0]}`\nTry '{path} --help' for more information";
        // Only when the command itself is what is missing: `skiff --root` lacks the option's value, not a verb.
        return parse.Errors.All(e => e.SymbolResult is null || e.SymbolResult == parse.CommandResult) ? $"missing command '{path} COMMAND'" : null;
    }

    internal static int Fail(string message, int exitCode)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"Error: {message}");
        return exitCode;
    }

    /// <summary>The first token that is neither a global option nor its value.</summary>
    internal static string? FindVerb(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith('-')) return a;
            if (GlobalValueOptions.Contains(a)) i++;
        }
        return null;
    }
}

/// <summary>Options every verb understands (podman's persistent flags).</summary>
public sealed class GlobalOptions
{
    public Option<string?> Root { get; } = new("--root") { Description = "Path to the graph root directory", Recursive = true };
    public Option<string?> RunRoot { get; } = new("--runroot") { Description = "Path to the run root directory", Recursive = true };
    public Option<string?> Runtime { get; } = new("--runtime") { Description = "Path or name of the OCI runtime (skiff-runtime, runc, crun)", Recursive = true };
    public Option<string?> LogLevel { get; } = new("--log-level") { Description = "Log messages above this level (accepted for compatibility)", Recursive = true };
    public Option<string?> CgroupManager { get; } = new("--cgroup-manager") { Description = "Cgroup manager (accepted for compatibility; cgroupfs)", Recursive = true };
    public Option<string?> EventsBackend { get; } = new("--events-backend") { Description = "Events backend (accepted for compatibility)", Recursive = true };
    public Option<string?> StorageDriver { get; } = new("--storage-driver") { Description = "Storage driver (overlay)", Recursive = true };

    public void AddTo(RootCommand root)
    {
        foreach (var o in new Option[] { Root, RunRoot, Runtime, LogLevel, CgroupManager, EventsBackend, StorageDriver })
            root.Options.Add(o);
    }

    public SkiffPaths Paths(ParseResult p) => SkiffPaths.Detect(p.GetValue(Root), p.GetValue(RunRoot));

    /// <summary>The engine for the store these options name: the seam every verb calls.</summary>
    public SkiffEngine Engine(ParseResult p) => new(Paths(p));
}
