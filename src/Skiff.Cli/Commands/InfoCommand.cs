using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace Skiff.Cli.Commands;

/// <summary>`skiff info`: host, store and version, as YAML (podman's default) or --format json.</summary>
public static class InfoCommand
{
    public static Command Create(GlobalOptions global)
    {
        var format = new Option<string?>("--format", "-f") { Description = "json, or a Go template such as {{.Store.GraphRoot}}" };
        var cmd = new Command("info", "Display Skiff related system information") { format };
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p).Info(p.GetValue(global.Runtime));
            var info = new InfoJson
            {
                Host = new HostJson
                {
                    Arch = VersionCommand.Arch,
                    Os = "linux",
                    Kernel = engine.Kernel,
                    Hostname = engine.Hostname,
                    Rootless = engine.Rootless,
                    CgroupVersion = engine.CgroupVersion,
                    CgroupManager = engine.CgroupManager,
                    OciRuntime = engine.OciRuntime,
                    Cpus = engine.Cpus,
                },
                Store = new StoreJson
                {
                    GraphRoot = engine.GraphRoot,
                    RunRoot = engine.RunRoot,
                    GraphDriverName = "overlay",
                    ImageCount = engine.ImageCount,
                },
                Version = new VersionJson { Version = SkiffCli.Version, OsArch = "linux/" + VersionCommand.Arch },
            };
            string? f = p.GetValue(format);
            if (f == "json")
                Console.WriteLine(JsonSerializer.Serialize(info, CliJsonContext.Default.InfoJson));
            else if (f is not null)
                Console.WriteLine(Output.GoTemplate.Render(f, name => Lookup(info, name)));
            else
                Console.Write(Yaml(info));
            return 0;
        });
        return cmd;
    }

    private static string? Lookup(InfoJson info, string name)
    {
        var doc = JsonSerializer.SerializeToElement(info, CliJsonContext.Default.InfoJson);
        foreach (string part in name.Split('.'))
        {
            if (doc.ValueKind != JsonValueKind.Object) return null;
            var match = doc.EnumerateObject().FirstOrDefault(o => string.Equals(o.Name, part, StringComparison.OrdinalIgnoreCase));
            if (match.Value.ValueKind == JsonValueKind.Undefined) return null;
            doc = match.Value;
        }
        return doc.ValueKind == JsonValueKind.String ? doc.GetString() : doc.GetRawText();
    }

    private static string Yaml(InfoJson info)
    {
        var doc = JsonSerializer.SerializeToElement(info, CliJsonContext.Default.InfoJson);
        var sb = new StringBuilder();
        foreach (var section in doc.EnumerateObject())
        {
            sb.Append(section.Name).Append(":\n");
            foreach (var field in section.Value.EnumerateObject())
                sb.Append("  ").Append(field.Name).Append(": ").Append(field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString() : field.Value.GetRawText()).Append('\n');
        }
        return sb.ToString();
    }
}

public sealed class InfoJson
{
    [System.Text.Json.Serialization.JsonPropertyName("host")] public HostJson Host { get; set; } = new();
    [System.Text.Json.Serialization.JsonPropertyName("store")] public StoreJson Store { get; set; } = new();
    [System.Text.Json.Serialization.JsonPropertyName("version")] public VersionJson Version { get; set; } = new();
}

public sealed class HostJson
{
    [System.Text.Json.Serialization.JsonPropertyName("arch")] public string Arch { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("os")] public string Os { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("kernel")] public string Kernel { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("cpus")] public int Cpus { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("cgroupVersion")] public string CgroupVersion { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("cgroupManager")] public string CgroupManager { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("ociRuntime")] public string OciRuntime { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("rootless")] public bool Rootless { get; set; }
}

public sealed class StoreJson
{
    [System.Text.Json.Serialization.JsonPropertyName("graphRoot")] public string GraphRoot { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("runRoot")] public string RunRoot { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("graphDriverName")] public string GraphDriverName { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("imageCount")] public int ImageCount { get; set; }
}

public sealed class VersionJson
{
    [System.Text.Json.Serialization.JsonPropertyName("Version")] public string Version { get; set; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("OsArch")] public string OsArch { get; set; } = "";
}
