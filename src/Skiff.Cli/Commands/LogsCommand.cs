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
            var paths = global.Paths(p);
            var lifecycle = new ContainerLifecycle(paths, new ImageService(paths));
            var now = DateTimeOffset.Now;
            var from = p.GetValue(since) is { } s ? KubeLog.ParseTime(s, now) : (DateTimeOffset?)null;
            var to = p.GetValue(until) is { } u ? KubeLog.ParseTime(u, now) : (DateTimeOffset?)null;
            var targets = p.GetValue(names) ?? [];
            var records = targets.Select(t => lifecycle.Store.Find(t)).ToList();
            bool several = records.Count > 1;
            foreach (var record in records)
            {
                var files = new ContainerFiles(paths, record.Id);
                if (record.LogDriver == "none") throw new EngineException($"container {record.Name} has the log driver none: there are no logs to read");
                long offset = 0;
                var printer = new Printer(p.GetValue(timestamps), several ? record.Id[..12] : null);
                var first = KubeLog.ReadFrom(files.LogPath, ref offset).Where(r => (from is null || r.Time >= from) && (to is null || r.Time <= to)).ToList();
                int n = p.GetValue(tail);
                if (n >= 0) first = TailLines(first, n);
                printer.Write(first);
                if (!p.GetValue(follow)) continue;
                while (true)
                {
                    var current = lifecycle.Store.Get(record.Id) is { } r ? lifecycle.Refresh(r) : null;
                    bool running = current?.State == ContainerStates.Running;
                    var more = KubeLog.ReadFrom(files.LogPath, ref offset).Where(r => to is null || r.Time <= to).ToList();
                    printer.Write(more);
                    if (!running) break;
                    Thread.Sleep(100);
                }
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>The records of the last <paramref name="lines"/> lines (a line may span partial records).</summary>
    private static List<KubeLogRecord> TailLines(List<KubeLogRecord> records, int lines)
    {
        int seen = 0, i = records.Count;
        while (i > 0)
        {
            if (records[i - 1].Full) { if (seen == lines) break; seen++; }
            i--;
        }
        return records.GetRange(i, records.Count - i);
    }

    private sealed class Printer(bool timestamps, string? prefix)
    {
        // Raw, unbuffered streams: the records' bytes go out as they are (not re-encoded), each to its own stream.
        private static readonly Lazy<Stream> StandardOutput = new(Console.OpenStandardOutput);
        private static readonly Lazy<Stream> StandardError = new(Console.OpenStandardError);
        private bool _midLine;

        public void Write(IEnumerable<KubeLogRecord> records)
        {
            foreach (var r in records)
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
