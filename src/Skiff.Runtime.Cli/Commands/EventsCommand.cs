using System.Globalization;
using System.Text.Json;
using Skiff.Runtime.Cgroups;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>
/// events [--stats] [--interval DURATION] ID: runc's events. --stats prints one {"type":"stats",...} line;
/// otherwise a stats line every interval (5s by default) and an {"type":"oom"} line whenever the OOM killer
/// kills in the container, until it stops.
/// </summary>
public static class EventsCommand
{
    public static int Run(CommandLine line)
    {
        string id = line.Id("events");
        var interval = ParseDuration(line.Flag("interval") ?? "5s");
        if (interval <= TimeSpan.Zero) throw new RuntimeException("duration interval must be greater than 0");
        using var stdout = Console.OpenStandardOutput();
        ContainerCgroups.Events(new StateStore(line.Options.Root), id, interval, line.Switch("stats"), e =>
        {
            stdout.Write(JsonSerializer.SerializeToUtf8Bytes(e, CgroupJsonContext.Default.RuntimeEvent));
            stdout.Write("\n"u8);
            stdout.Flush();
        });
        return 0;
    }

    /// <summary>A Go duration: "5s", "100ms", "1m30s", "1.5h", units ns, us, µs, ms, s, m, h.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        double total = 0;
        int i = 0;
        if (text == "0") return TimeSpan.Zero;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (start == i || !double.TryParse(text[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n))
                throw new RuntimeException($"invalid duration \"{text}\"");
            int u = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            total += text[u..i] switch
            {
                "ns" => n / 1e6,
                "us" or "µs" => n / 1e3,
                "ms" => n,
                "s" => n * 1e3,
                "m" => n * 60e3,
                "h" => n * 3600e3,
                _ => throw new RuntimeException($"invalid duration \"{text}\" (units: ns, us, ms, s, m, h)"),
            };
        }
        return TimeSpan.FromMilliseconds(total);
    }
}
