using System.CommandLine;
using Skiff.Cli.Output;
using Skiff.Engine.Events;

namespace Skiff.Cli.Commands;

/// <summary>
/// `skiff events` (`system events`): the engine's event log, filtered (container=, event=, image=, label=, type=...),
/// between --since and --until, as podman's lines, JSON or a Go template; it follows new events (like tail -f)
/// until interrupted or --until, unless --stream=false.
/// </summary>
public static class EventsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var filter = new Option<string[]>("--filter", "-f") { Description = "filter output", AllowMultipleArgumentsPerToken = false };
        var format = new Option<string?>("--format") { Description = "format the output using a Go template, or json" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "do not truncate the output", DefaultValueFactory = _ => true };
        var since = new Option<string?>("--since") { Description = "show all events created since timestamp" };
        var until = new Option<string?>("--until") { Description = "show all events until timestamp" };
        var stream = new Option<bool>("--stream") { Description = "stream new events; for testing only", DefaultValueFactory = _ => true };
        var cmd = new Command("events", "Show podman system events") { filter, format, noTrunc, since, until, stream };
        cmd.SetAction((p, cancellationToken) =>
        {
            var query = EventQuery.Parse(p.GetValue(filter) ?? [], p.GetValue(since), p.GetValue(until), p.GetValue(stream), DateTimeOffset.UtcNow);
            var print = Printer(p.GetValue(format), p.GetValue(noTrunc));
            foreach (var e in global.Engine(p).Events(query, cancellationToken))
            {
                Console.Out.Write(print(e));
                Console.Out.Flush();
            }
            return Task.FromResult(0);
        });
        return cmd;
    }

    /// <summary>How one event is printed: podman's line, its JSON line, or a template (a table's header comes first, once).</summary>
    public static Func<EngineEvent, string> Printer(string? format, bool noTrunc)
    {
        if (string.IsNullOrEmpty(format)) return e => e.ToHumanReadable(truncate: !noTrunc) + "\n";
        if (PsCommand.IsJson(format)) return e => e.ToJson() + "\n";
        string body = GoTemplate.Body(format);
        bool headerDue = GoTemplate.IsTable(format);
        return e =>
        {
            string line = GoTemplate.Render(body, e.Field);
            if (!line.EndsWith('\n')) line += "\n";
            if (!headerDue) return line;
            headerDue = false;
            string header = GoTemplate.Header(body, name => name.ToUpperInvariant());
            return (header.EndsWith('\n') ? header : header + "\n") + line;
        };
    }
}
