using System.CommandLine;
using Skiff.Cli.Output;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;

namespace Skiff.Cli.Commands;

/// <summary>`skiff ps [-a] [-q] [--no-trunc] [--format]`: podman's columns.</summary>
public static class PsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all the containers, default is only running containers" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print the numeric IDs of the containers only" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Display the extended information" };
        var noHeading = new Option<bool>("--noheading", "-n") { Description = "Do not print headers" };
        var format = new Option<string?>("--format") { Description = "Go template, e.g. '{{.ID}} {{.Names}} {{.Status}}'" };
        var cmd = new Command("ps", "List containers") { all, quiet, noTrunc, noHeading, format };
        cmd.SetAction(p =>
        {
            var now = DateTimeOffset.UtcNow;
            var paths = global.Paths(p);
            var lifecycle = new ContainerLifecycle(paths, new ImageService(paths));
            var rows = lifecycle.Store.All().Select(lifecycle.Refresh).OfType<ContainerRecord>()
                .Where(c => p.GetValue(all) || IsRunning(c))
                .OrderByDescending(c => c.Created)
                .Select(c => new Row(c, p.GetValue(noTrunc), now)).ToList();
            if (p.GetValue(quiet))
            {
                foreach (var r in rows) Console.WriteLine(r.Id);
                return 0;
            }
            string template = p.GetValue(format) ?? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
            Console.Write(GoTemplate.RenderRows(template, rows.Select(r => (Func<string, string?>)r.Field), Row.Header, p.GetValue(noHeading), "ps", "containers.psReporter"));
            return 0;
        });
        return cmd;
    }

    /// <summary>Running as recorded once refreshed (a container found dead was cleaned up before listing).</summary>
    private static bool IsRunning(ContainerRecord c) => c.State == ContainerStates.Running;

    private sealed class Row(ContainerRecord c, bool noTrunc, DateTimeOffset now)
    {
        public string Id => noTrunc ? c.Id : c.Id[..12];

        private string Status => IsRunning(c)
            ? $"Up {Units.HumanDuration(now - (c.StartedAt ?? c.Created))}"
            : c.State is ContainerStates.Created or ContainerStates.Configured ? "Created"
            : c.State == ContainerStates.Initialized ? "Initialized"
            : c.FinishedAt is { } f ? $"Exited ({c.ExitCode}) {Units.HumanDuration(now - f)} ago" : "Exited";

        public string? Field(string name) => name switch
        {
            "ID" => Id,
            "Image" => c.ImageName,
            "Command" => Truncate(string.Join(' ', c.Command)),
            "Created" or "RunningFor" => Units.HumanDuration(now - c.Created) + " ago",
            "Status" => Status,
            "State" => c.State,
            "Ports" => "",
            "Names" => c.Name,
            _ => null,
        };

        private string Truncate(string command) => noTrunc || command.Length <= 20 ? command : command[..17] + "...";

        public static string Header(string name) => name switch
        {
            "ID" => "CONTAINER ID",
            "RunningFor" => "CREATED",
            _ => name.ToUpperInvariant(),
        };
    }
}
