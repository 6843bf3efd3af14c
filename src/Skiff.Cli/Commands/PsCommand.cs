using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Skiff.Cli.Output;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Events;

namespace Skiff.Cli.Commands;

/// <summary>
/// `skiff ps` (`container ps|ls|list`): podman's flags; the engine selects and orders (<see cref="IContainerEngine.Ps"/>),
/// this verb only prints: podman's table, -q, --format json, Go templates over podman's ps field names.
/// </summary>
public static partial class PsCommand
{
    private const string DefaultRow = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    private const string NamespaceRow = "{{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Cgroup}}\t{{.IPC}}\t{{.MNT}}\t{{.NET}}\t{{.PIDNS}}\t{{.User}}\t{{.UTS}}";

    public static Command Create(GlobalOptions global)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all the containers, default is only running containers" };
        var external = new Option<bool>("--external") { Description = "Show containers in storage not controlled by Skiff" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output based on conditions given", AllowMultipleArgumentsPerToken = false };
        var format = new Option<string?>("--format") { Description = "Pretty-print containers to JSON or using a Go template" };
        var last = new Option<int>("--last", "-n") { Description = "Print the n last created containers (all states)", DefaultValueFactory = _ => -1 };
        var latest = new Option<bool>("--latest", "-l") { Description = "Act on the latest container skiff is aware of" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Display the extended information" };
        var noHeading = new Option<bool>("--noheading") { Description = "Do not print headers" };
        var ns = new Option<bool>("--ns") { Description = "Display namespace information" };
        var pod = new Option<bool>("--pod", "-p") { Description = "Print the ID and name of the pod the containers are associated with" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print the numeric IDs of the containers only" };
        var size = new Option<bool>("--size", "-s") { Description = "Display the total file sizes" };
        var sort = new Option<string?>("--sort") { Description = "Sort output by: " + string.Join(", ", PsOptions.SortKeys) };
        var sync = new Option<bool>("--sync") { Description = "Sync container state with OCI runtime (every listing does)" };
        var watch = new Option<uint>("--watch", "-w") { Description = "Watch the ps output on an interval in seconds" };
        var extra = new Argument<string[]>("ARGS") { Arity = ArgumentArity.ZeroOrMore, Hidden = true };
        var cmd = new Command("ps", "List containers") { all, external, filter, format, last, latest, noTrunc, noHeading, ns, pod, quiet, size, sort, sync, watch, extra };
        cmd.SetAction((p, cancellationToken) =>
        {
            if (p.GetValue(extra) is { Length: > 0 }) throw new EngineException("`skiff ps` takes no arguments");
            if (p.GetValue(quiet) && (p.GetValue(size) || p.GetValue(ns))) throw new EngineException("quiet conflicts with size and namespace");
            if (p.GetValue(watch) > 0 && p.GetValue(latest)) throw new EngineException("the watch and latest flags cannot be used together");
            var options = new PsOptions
            {
                All = p.GetValue(all),
                Last = p.GetValue(last),
                Latest = p.GetValue(latest),
                Filters = p.GetValue(filter) ?? [],
                Sort = p.GetValue(sort),
                Size = p.GetValue(size),
                Namespaces = p.GetValue(ns),
                External = p.GetValue(external),
            };
            string? userFormat = p.GetValue(format);
            var view = new View(p.GetValue(noTrunc), p.GetValue(quiet), p.GetValue(noHeading), p.GetValue(pod) || (userFormat?.Contains(".PodName", StringComparison.Ordinal) ?? false), options);
            var engine = global.Engine(p);
            uint interval = p.GetValue(watch);
            if (interval == 0)
            {
                Console.Out.Write(view.Render(engine.Ps(options), userFormat, DateTimeOffset.UtcNow));
                return Task.FromResult(0);
            }
            while (!cancellationToken.IsCancellationRequested)
            {
                string text = view.Render(engine.Ps(options), userFormat, DateTimeOffset.UtcNow);
                Console.Out.Write("\u001b[2J\u001b[H" + text);
                Console.Out.Flush();
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(interval));
            }
            return Task.FromResult(0);
        });
        return cmd;
    }

    /// <summary>podman's report.IsJSON: "json" or "{{json .}}".</summary>
    public static bool IsJson(string? format) => format is not null && JsonFormat().IsMatch(format);

    [GeneratedRegex(@"^\s*(json|\{\{\s*json\s*\.?\s*\}\})\s*$")]
    private static partial Regex JsonFormat();

    /// <summary>How the listing is printed (everything here is presentation: the rows come from the engine).</summary>
    public sealed class View(bool noTrunc, bool quiet, bool noHeading, bool pod, PsOptions options)
    {
        public string Render(IReadOnlyList<ContainerListItem> items, string? format, DateTimeOffset now)
        {
            ArgumentNullException.ThrowIfNull(items);
            if (IsJson(format)) return Json(items, now);
            if (quiet && format is null)
                return string.Concat(items.Select(i => (noTrunc ? i.Container.Id : i.Container.Id[..12]) + "\n"));
            string template;
            bool heading = !noHeading;
            if (format is null)
            {
                string row = options.Namespaces ? NamespaceRow : DefaultRow + (pod ? "\t{{.Pod}}\t{{.PodName}}" : "") + (options.Size ? "\t{{.Size}}" : "");
                template = "table " + row;
            }
            else
            {
                template = format;
                heading &= GoTemplate.IsTable(format);
            }
            return GoTemplate.RenderRows(template, items.Select(i => (Func<string, string?>)new Row(i, noTrunc, now).Field), Row.Header, !heading, "ps", "containers.psReporter");
        }

        /// <summary>podman's `ps --format json`: its ListContainer fields in its order, "Created" last as unix seconds.</summary>
        public static string Json(IReadOnlyList<ContainerListItem> items, DateTimeOffset now)
        {
            ArgumentNullException.ThrowIfNull(items);
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartArray();
                foreach (var i in items)
                {
                    var c = i.Container;
                    var row = new Row(i, noTrunc: true, now);
                    w.WriteStartObject();
                    w.WriteBoolean("AutoRemove", c.AutoRemove);
                    w.WriteStartArray("Command");
                    foreach (string a in c.Command) w.WriteStringValue(a);
                    w.WriteEndArray();
                    w.WriteString("CreatedAt", row.CreatedHuman);
                    w.WriteBoolean("Exited", i.Exited);
                    w.WriteNumber("ExitedAt", Row.Unix(i.Exited ? c.FinishedAt : null));
                    w.WriteNumber("ExitCode", i.Exited ? c.ExitCode ?? 0 : 0);
                    w.WriteString("Id", c.Id);
                    w.WriteString("Image", c.ImageName);
                    w.WriteString("ImageID", c.ImageId);
                    w.WriteBoolean("IsInfra", false);
                    if (c.Labels.Count == 0) w.WriteNull("Labels");
                    else
                    {
                        w.WriteStartObject("Labels");
                        foreach (var (k, v) in c.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                        w.WriteEndObject();
                    }
                    w.WriteStartArray("Mounts");
                    foreach (string m in i.Mounts) w.WriteStringValue(m);
                    w.WriteEndArray();
                    w.WriteStartArray("Names");
                    w.WriteStringValue(c.Name);
                    w.WriteEndArray();
                    w.WriteStartObject("Namespaces");
                    if (i.Namespaces is { } n)
                    {
                        foreach (var (k, v) in new[] { ("Cgroup", n.Cgroup), ("Ipc", n.Ipc), ("Mnt", n.Mnt), ("Net", n.Net), ("Pidns", n.Pid), ("User", n.User), ("Uts", n.Uts) })
                            if (v.Length > 0) w.WriteString(k, v);
                    }
                    w.WriteEndObject();
                    w.WriteStartArray("Networks");
                    foreach (string net in i.Networks) w.WriteStringValue(net);
                    w.WriteEndArray();
                    w.WriteNumber("Pid", i.State == "running" ? c.Pid ?? 0 : 0);
                    w.WriteString("Pod", "");
                    w.WriteString("PodName", "");
                    w.WriteNull("Ports");
                    if (i.RwSize is null) w.WriteNull("Size");
                    else
                    {
                        w.WriteStartObject("Size");
                        w.WriteNumber("RootFsSize", i.RootFsSize ?? 0);
                        w.WriteNumber("RwSize", i.RwSize.Value);
                        w.WriteEndObject();
                    }
                    w.WriteNumber("StartedAt", Row.Unix(c.StartedAt));
                    w.WriteString("State", i.State);
                    w.WriteString("Status", row.Status);
                    w.WriteNumber("Created", c.Created.ToUnixTimeSeconds());
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            // Go's MarshalIndent writes an object whose fields are all omitted as an open, blank line and a close.
            string json = Encoding.UTF8.GetString(buffer.ToArray()).Replace("\"Namespaces\": {}", "\"Namespaces\": {\n      \n    }", StringComparison.Ordinal);
            return json + "\n";
        }
    }

    /// <summary>One container's fields by podman's psReporter names, as text.</summary>
    private sealed class Row(ContainerListItem item, bool noTrunc, DateTimeOffset now)
    {
        private ContainerRecord C => item.Container;

        /// <summary>Go's zero time in unix seconds, as podman prints a time never set.</summary>
        private const long GoZeroTime = -62135596800;

        public static long Unix(DateTimeOffset? t) => t?.ToUnixTimeSeconds() ?? GoZeroTime;

        public string CreatedHuman => Units.HumanDuration(now - C.Created) + " ago";

        /// <summary>podman 4's status words: "Up 3 seconds ago", "Exited (0) 2 seconds ago", "Created".</summary>
        public string Status => item.State switch
        {
            "running" => $"Up {Units.HumanDuration(now - (C.StartedAt ?? C.Created))} ago",
            "exited" => $"Exited ({C.ExitCode ?? 0}) {Units.HumanDuration(now - (C.FinishedAt ?? C.Created))} ago",
            _ => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(item.State),
        };

        private string Command
        {
            get
            {
                string command = string.Join(' ', C.Command);
                return !noTrunc && command.Length > 17 ? command[..17] + "..." : command;
            }
        }

        private string Size => item.RwSize is { } rw ? $"{GoSize(rw)} (virtual {GoSize(item.RootFsSize ?? 0)})" : "";

        private static string GoSize(long n) => Units.HumanSize(n).Replace(" ", "", StringComparison.Ordinal);

        private static string Bool(bool b) => b ? "true" : "false";

        private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

        public string? Field(string name) => name switch
        {
            "ID" => noTrunc ? C.Id : C.Id[..12],
            "Image" => C.ImageName,
            "ImageID" => noTrunc ? C.ImageId : C.ImageId[..Math.Min(12, C.ImageId.Length)],
            "Command" => Command,
            "CreatedHuman" or "RunningFor" => CreatedHuman,
            "Created" or "CreatedAt" => EngineEvent.FormatGo(C.Created),
            "Status" or "State" => Status,
            "Ports" => "",
            "Names" => C.Name,
            "Labels" => "map[" + string.Join(' ', C.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}:{l.Value}")) + "]",
            "Mounts" => "[" + string.Join(' ', item.Mounts) + "]",
            "Networks" => string.Join(',', item.Networks),
            "Pid" => Num(item.State == "running" ? C.Pid ?? 0 : 0),
            "ExitCode" => Num(item.Exited ? C.ExitCode ?? 0 : 0),
            "Exited" => Bool(item.Exited),
            "ExitedAt" => Num(Unix(item.Exited ? C.FinishedAt : null)),
            "StartedAt" => Num(Unix(C.StartedAt)),
            "AutoRemove" => Bool(C.AutoRemove),
            "IsInfra" => "false",
            "Pod" or "PodName" => "",
            "Size" => Size,
            "Cgroup" => item.Namespaces?.Cgroup ?? "",
            "IPC" => item.Namespaces?.Ipc ?? "",
            "MNT" => item.Namespaces?.Mnt ?? "",
            "NET" => item.Namespaces?.Net ?? "",
            "PIDNS" => item.Namespaces?.Pid ?? "",
            "User" => item.Namespaces?.User ?? "",
            "UTS" => item.Namespaces?.Uts ?? "",
            _ when name.StartsWith("Labels.", StringComparison.Ordinal) => C.Labels.GetValueOrDefault(name["Labels.".Length..]) ?? "<no value>",
            _ => null,
        };

        /// <summary>podman's headers: the field's words in capitals, with its own names for some.</summary>
        public static string Header(string name) => name switch
        {
            "ID" => "CONTAINER ID",
            "CreatedHuman" => "CREATED",
            "Pod" => "POD ID",
            "PodName" => "PODNAME",
            "Cgroup" => "CGROUPNS",
            "User" => "USERNS",
            "ImageID" => "IMAGE ID",
            _ => Words(name).ToUpperInvariant(),
        };

        /// <summary>"CreatedAt" → "Created At", as podman's report.Headers splits camel case (runs of capitals stay whole).</summary>
        private static string Words(string name)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < name.Length; i++)
            {
                if (i > 0 && char.IsUpper(name[i]) && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                    sb.Append(' ');
                sb.Append(name[i]);
            }
            return sb.ToString();
        }
    }
}
