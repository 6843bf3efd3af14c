using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skiff.Cli.Output;
using Skiff.Engine;
using Skiff.Engine.Volumes;

namespace Skiff.Cli.Commands;

/// <summary>`skiff volume create|ls|inspect|rm|prune|exists`: podman's verbs, output and exit codes for volumes of the local driver.</summary>
public static class VolumeCommand
{
    public static Command Create(GlobalOptions global)
    {
        var cmd = new Command("volume", "Manage volumes");
        cmd.Subcommands.Add(CreateVerb(global));
        cmd.Subcommands.Add(List(global));
        cmd.Subcommands.Add(Inspect(global));
        cmd.Subcommands.Add(Remove(global));
        cmd.Subcommands.Add(Prune(global));
        cmd.Subcommands.Add(Exists(global));
        cmd.SetAction(_ => SkiffCli.Fail("missing command 'skiff volume COMMAND'", ExitCodes.EngineError));
        return cmd;
    }

    private static Command CreateVerb(GlobalOptions global)
    {
        var driver = new Option<string?>("--driver") { Description = "Volume driver name (local)" };
        var opt = new Option<string[]>("--opt", "-o") { Description = "Driver options: type=, device=, o= (mount options)" };
        var label = new Option<string[]>("--label", "-l") { Description = "Set metadata for a volume (KEY=VALUE)" };
        var ignore = new Option<bool>("--ignore") { Description = "Do not fail if the volume already exists" };
        var name = new Argument<string?>("NAME") { Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("create", "Create a new volume") { driver, opt, label, ignore, name };
        cmd.SetAction(p =>
        {
            var v = global.Engine(p).CreateVolume(new VolumeCreateOptions
            {
                Name = p.GetValue(name),
                Driver = p.GetValue(driver),
                Options = p.GetValue(opt) ?? [],
                Labels = p.GetValue(label) ?? [],
                IgnoreIfExists = p.GetValue(ignore),
            });
            Console.WriteLine(v.Name);
            return 0;
        });
        return cmd;
    }

    private static Command List(GlobalOptions global)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print volume output in quiet mode" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter volume output (name=, label=, driver=, dangling=...)" };
        var format = new Option<string?>("--format") { Description = "Format volume output using Go template (or json)" };
        var noHeading = new Option<bool>("--noheading", "-n") { Description = "Do not print headers" };
        var cmd = new Command("ls", "List volumes") { quiet, filter, format, noHeading };
        cmd.Aliases.Add("list");
        cmd.SetAction(p =>
        {
            var volumes = global.Engine(p).ListVolumes(VolumeFilter.Parse(p.GetValue(filter) ?? [], VolumeFilter.ListKeys));
            Console.Out.Write(RenderList(volumes, p.GetValue(quiet), p.GetValue(format), p.GetValue(noHeading)));
            return 0;
        });
        return cmd;
    }

    public static string RenderList(IReadOnlyList<VolumeRecord> volumes, bool quiet, string? format, bool noHeading)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        if (format == "json")
            return JsonSerializer.Serialize(volumes.Select(ToJson).ToList(), VolumeJsonContext.Default.ListVolumeJson) + "\n";
        if (quiet) return string.Concat(volumes.Select(v => v.Name + "\n"));
        if (volumes.Count == 0) return ""; // podman prints no header either when there is no volume
        string template = format ?? "table {{.Driver}}\t{{.Name}}";
        return GoTemplate.RenderRows(template, volumes.Select(v => (Func<string, string?>)(f => Field(v, f))), Header, noHeading);
    }

    private static string Header(string name) => name switch
    {
        "Name" => "VOLUME NAME",
        "MountCount" => "MOUNT COUNT",
        "CreatedAt" => "CREATED AT",
        _ => name.ToUpperInvariant(),
    };

    /// <summary>A field of podman's volume report for --format (maps as Go prints them: map[k:v] in key order).</summary>
    public static string? Field(VolumeRecord v, string name) => name switch
    {
        "Name" => v.Name,
        "Driver" => v.Driver,
        "Mountpoint" => v.Mountpoint,
        "CreatedAt" => v.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF '+0000 UTC'", CultureInfo.InvariantCulture),
        "Labels" => GoMap(v.Labels),
        "Scope" => "local",
        "Options" => GoMap(v.Options),
        "MountCount" => "0",
        "NeedsCopyUp" => v.NeedsCopyUp ? "true" : "false",
        "NeedsChown" => v.NeedsChown ? "true" : "false",
        "Anonymous" => v.Anonymous ? "true" : "false",
        _ => null,
    };

    private static string GoMap(Dictionary<string, string> map)
        => "map[" + string.Join(' ', map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{kv.Value}")) + "]";

    private static Command Inspect(GlobalOptions global)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Inspect all volumes" };
        var format = new Option<string?>("--format", "-f") { Description = "Format volume output using Go template" };
        var names = new Argument<string[]>("VOLUME") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("inspect", "Display detailed information on one or more volumes") { all, format, names };
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p);
            var wanted = p.GetValue(names) ?? [];
            if (p.GetValue(all) && wanted.Length > 0) throw new EngineException("provide one or more volume names or use --all");
            if (!p.GetValue(all) && wanted.Length == 0) throw new EngineException("provide one or more volume names or use --all");
            var found = new List<VolumeRecord>();
            string? error = null;
            if (p.GetValue(all)) found.AddRange(engine.ListVolumes(VolumeFilter.None));
            foreach (string n in wanted)
            {
                try { found.Add(engine.InspectVolume(n)); }
                catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject) { error ??= $"inspecting object: no such volume {n}"; }
            }
            string? template = p.GetValue(format);
            if (template is null or "json")
                Console.WriteLine(JsonSerializer.Serialize(found.Select(ToJson).ToList(), VolumeInspectJsonContext.Default.ListVolumeJson));
            else
                foreach (var v in found) Console.WriteLine(GoTemplate.Render(template, f => Field(v, f)));
            return error is null ? 0 : SkiffCli.Fail(error, ExitCodes.EngineError);
        });
        return cmd;
    }

    private static Command Remove(GlobalOptions global)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Remove all volumes" };
        var force = new Option<bool>("--force", "-f") { Description = "Remove a volume by force, with the containers using it" };
        var time = new Option<int?>("--time", "-t") { Description = "Seconds to wait for a running container to stop before killing it (with --force)" };
        var names = new Argument<string[]>("VOLUME") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("rm", "Remove one or more volumes") { all, force, time, names };
        cmd.Aliases.Add("remove");
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p);
            var targets = (p.GetValue(names) ?? []).ToList();
            if (targets.Count > 0 == p.GetValue(all)) throw new EngineException("choose either one or more volumes or all");
            if (p.GetValue(all)) targets.AddRange(engine.ListVolumes(VolumeFilter.None).Select(v => v.Name));
            int exit = 0;
            foreach (string t in targets)
            {
                try
                {
                    engine.RemoveVolume(t, p.GetValue(force), p.GetValue(time));
                    Console.WriteLine(t);
                }
                catch (EngineException e) { exit = Math.Max(exit, SkiffCli.Fail(e.Message, ExitCodes.ForRemoval(e.Kind))); }
            }
            return exit;
        });
        return cmd;
    }

    private static Command Prune(GlobalOptions global)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var filter = new Option<string[]>("--filter") { Description = "Provide filter values (label=, label!=, until=)" };
        var cmd = new Command("prune", "Remove all unused volumes") { force, filter };
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p);
            var f = VolumeFilter.Parse(p.GetValue(filter) ?? [], VolumeFilter.PruneKeys);
            if (!p.GetValue(force))
            {
                Console.Write("WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n");
                foreach (var v in engine.ListVolumes(VolumeFilter.Parse(["dangling=true"], VolumeFilter.ListKeys)).Where(v => f.Matches(v, false)))
                    Console.WriteLine(v.Name);
                Console.Write("Are you sure you want to continue? [y/N] ");
                string answer = (Console.ReadLine() ?? "").Trim();
                if (!answer.Equals("y", StringComparison.OrdinalIgnoreCase) && !answer.Equals("yes", StringComparison.OrdinalIgnoreCase)) return 0;
            }
            foreach (string n in engine.PruneVolumes(f)) Console.WriteLine(n);
            return 0;
        });
        return cmd;
    }

    private static Command Exists(GlobalOptions global)
    {
        var name = new Argument<string>("VOLUME");
        var cmd = new Command("exists", "Volume exists in local storage") { name };
        cmd.SetAction(p => global.Engine(p).VolumeExists(p.GetValue(name)!) ? 0 : 1);
        return cmd;
    }

    private static VolumeJson ToJson(VolumeRecord v) => new()
    {
        Name = v.Name,
        Driver = v.Driver,
        Mountpoint = v.Mountpoint,
        CreatedAt = v.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        Labels = new SortedDictionary<string, string>(v.Labels, StringComparer.Ordinal),
        Options = new SortedDictionary<string, string>(v.Options, StringComparer.Ordinal),
        NeedsCopyUp = v.NeedsCopyUp,
        NeedsChown = v.NeedsChown,
    };
}

/// <summary>podman 4's volume report, in its field order.</summary>
public sealed class VolumeJson
{
    public string Name { get; set; } = "";
    public string Driver { get; set; } = "local";
    public string Mountpoint { get; set; } = "";
    public string CreatedAt { get; set; } = "";
    public SortedDictionary<string, string> Labels { get; set; } = [];
    public string Scope { get; set; } = "local";
    public SortedDictionary<string, string> Options { get; set; } = [];
    public int MountCount { get; set; }
    public bool NeedsCopyUp { get; set; }
    public bool NeedsChown { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(List<VolumeJson>))]
internal sealed partial class VolumeJsonContext : JsonSerializerContext;

/// <summary>`volume inspect` prints with podman's five-space indentation.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, IndentSize = 5)]
[JsonSerializable(typeof(List<VolumeJson>))]
internal sealed partial class VolumeInspectJsonContext : JsonSerializerContext;
