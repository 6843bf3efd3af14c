using System.CommandLine;
using System.Text;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff logs [-f] [-t] [-n|--tail N] [--since T] [--until T] CONTAINER...`: the container's output from its k8s-file log, each stream to its own.</summary>
public static class LogsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Follow the log output" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Output the timestamps in the log" };
        var tail = new Option<int>("--tail", "-n") { Description = "Output the specified number of lines at the end of the log (-1: all)", DefaultValueFactory = _ => -1 };
        var since = new Option<string?>("--since") { Description = "Show logs since TIMESTAMP (RFC 3339, Unix seconds, or a duration such as 10m)" };
        var until = new Option<string?>("--until") { Description = "Show logs until TIMESTAMP" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("logs", "Fetch the logs of one or more containers") { follow, timestamps, tail, since, until, names };
        cmd.SetAction(p =>
        {
            var now = DateTimeOffset.Now;
            var query = new LogQuery(
                Since: p.GetValue(since) is { } s ? KubeLog.ParseTime(s, now) : null,
                Until: p.GetValue(until) is { } u ? KubeLog.ParseTime(u, now) : null,
                Tail: p.GetValue(tail),
                Follow: p.GetValue(follow));
            var targets = p.GetValue(names) ?? [];
            var printers = new Dictionary<string, Printer>(StringComparer.Ordinal);
            global.Engine(p).Logs(targets, query, (record, line) =>
            {
                if (!printers.TryGetValue(record.Id, out var printer))
                    printers[record.Id] = printer = new Printer(p.GetValue(timestamps), targets.Length > 1 ? record.Id[..12] : null);
                printer.Write(line);
            });
            return 0;
        });
        return cmd;
    }

    private sealed class Printer(bool timestamps, string? prefix)
    {
        // Raw, unbuffered streams: the records' bytes go out as they are (not re-encoded), each to its own stream.
        private static readonly Lazy<Stream> StandardOutput = new(Console.OpenStandardOutput);
        private static readonly Lazy<Stream> StandardError = new(Console.OpenStandardError);
        private bool _midLine;

        public void Write(KubeLogRecord r)
        {
            {
                var sb = new StringBuilder();
                if (!_midLine)
                {
                    if (prefix is not null) sb.Append(prefix).Append(' ');
                    if (timestamps) sb.Append(r.TimeText).Append(' ');
                }
                byte[] head = Encoding.UTF8.GetBytes(sb.ToString());
                var stream = r.Stderr ? StandardError.Value : StandardOutput.Value;
                Console.Out.Flush();
                Console.Error.Flush();
                stream.Write(head);
                stream.Write(r.Content);
                if (r.Full) stream.Write("\n"u8);
                stream.Flush();
                _midLine = !r.Full;
            }
        }
    }
}
