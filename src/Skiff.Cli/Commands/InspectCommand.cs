using System.CommandLine;
using System.Text.Json;
using Skiff.Cli.Output;
using Skiff.Cli.Output.Templates;
using Skiff.Engine;
using Skiff.Engine.Inspect;

namespace Skiff.Cli.Commands;

/// <summary>
/// `skiff inspect [--type container|image|all] [-f FORMAT] [-s] [-l] NAME...`, `skiff container inspect` and
/// `skiff image inspect`: podman's JSON array (or a Go template per object) of every object found, then an
/// error for those that were not (exit 125), in podman's words.
/// </summary>
public static class InspectCommand
{
    private static readonly string[] Types = ["image", "container", "pod", "network", "volume", "all"];

    /// <summary>The top-level `inspect`: containers first, then images (--type all), or one kind.</summary>
    public static Command Create(GlobalOptions global)
    {
        var format = FormatOption();
        var type = new Option<string>("--type", "-t") { Description = "Specify inspect-object type (\"image\", \"container\" or \"all\")", DefaultValueFactory = _ => "all" };
        var size = new Option<bool>("--size", "-s") { Description = "Display total file size" };
        var latest = new Option<bool>("--latest", "-l") { Description = "Act on the latest container Skiff is aware of" };
        var names = new Argument<string[]>("NAME") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("inspect", "Display the configuration of object denoted by ID") { format, type, size, latest, names };
        cmd.SetAction(p => Run(global.Engine(p), p.GetValue(names) ?? [], p.GetValue(type) ?? "all", p.GetValue(format), p.GetValue(size), p.GetValue(latest)));
        return cmd;
    }

    /// <summary>`container inspect`.</summary>
    public static Command ForContainers(GlobalOptions global)
    {
        var format = FormatOption();
        var size = new Option<bool>("--size", "-s") { Description = "Display total file size" };
        var latest = new Option<bool>("--latest", "-l") { Description = "Act on the latest container Skiff is aware of" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("inspect", "Display the configuration of a container") { format, size, latest, names };
        cmd.SetAction(p => Run(global.Engine(p), p.GetValue(names) ?? [], "container", p.GetValue(format), p.GetValue(size), p.GetValue(latest)));
        return cmd;
    }

    /// <summary>`image inspect`.</summary>
    public static Command ForImages(GlobalOptions global)
    {
        var format = FormatOption();
        var names = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("inspect", "Display the configuration of an image") { format, names };
        cmd.SetAction(p => Run(global.Engine(p), p.GetValue(names) ?? [], "image", p.GetValue(format), size: false, latest: false));
        return cmd;
    }

    private static Option<string?> FormatOption()
        => new("--format", "-f") { Description = "Format the output to a Go template or json" };

    private static int Run(SkiffEngine engine, string[] names, string type, string? format, bool size, bool latest)
    {
        if (!Types.Contains(type))
            throw new EngineException($"invalid type \"{type}\": must be \"image\", \"container\", \"pod\", \"network\", \"volume\", or \"all\"");
        if (names.Length == 0 && !latest) throw new EngineException("no names or ids specified");
        if (latest)
        {
            if (names.Length > 0) throw new EngineException("--latest and arguments cannot be used together");
            if (type == "all") type = "container";
            try { names = [engine.Latest().Id]; }
            catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject)
            {
                InspectOutput.Parse(format).Render([], Console.Out);
                return SkiffCli.Fail("inspecting object: no containers to inspect: no such container", ExitCodes.EngineError);
            }
        }
        if (type is "pod" or "network" or "volume") throw new EngineException($"inspecting a {type} is not supported by Skiff yet");

        var output = InspectOutput.Parse(format); // a template that does not parse: its error alone, as podman's
        var items = new List<InspectItem>();
        var errors = new List<string>();
        foreach (string name in names)
        {
            if (Find(engine, name, type, size) is { } item) items.Add(item);
            else errors.Add(type switch
            {
                "container" => $"no such container {name}",
                "image" => $"{name}: image not known",
                _ => $"no such object: \"{name}\"",
            });
        }

        try
        {
            output.Render(items, Console.Out);
        }
        catch (TemplateException e)
        {
            return SkiffCli.Fail($"inspecting object: printing inspect output: {e.Message}", ExitCodes.EngineError);
        }
        if (errors.Count == 0) return 0;
        Console.Out.Flush();
        foreach (string e in errors.Skip(1)) Console.Error.WriteLine($"error inspecting object: {e}");
        return SkiffCli.Fail($"inspecting object: {errors[0]}", ExitCodes.EngineError);
    }

    /// <summary>The object named: a container, else (for --type all) an image; null when there is none.</summary>
    private static InspectItem? Find(SkiffEngine engine, string name, string type, bool size)
    {
        if (type is "container" or "all")
        {
            try
            {
                var data = engine.Inspect(name, size);
                return new InspectItem(JsonSerializer.SerializeToNode(data, InspectJsonContext.Default.InspectContainerData), InspectJsonContext.Default.InspectContainerData);
            }
            catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject) { }
        }
        if (type is "image" or "all")
        {
            try
            {
                var data = engine.InspectImage(name);
                return new InspectItem(JsonSerializer.SerializeToNode(data, InspectJsonContext.Default.InspectImageData), InspectJsonContext.Default.InspectImageData);
            }
            catch (EngineException e) when (e.Kind == ErrorKind.NoSuchObject) { }
        }
        return null;
    }
}
