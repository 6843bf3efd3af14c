using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Skiff.Cli.Output.Templates;

namespace Skiff.Tests.Cli.Templates;

/// <summary>A container report shaped as podman's, and helpers to render templates over it.</summary>
internal static class TemplateTestData
{
    public const string Container = """
        {
          "ID": "abc123",
          "Names": ["web", "db"],
          "State": {"Status": "running", "Pid": 42, "Running": true, "ExitCode": 0},
          "Labels": {"b": "2", "a": "1"},
          "Size": 1024,
          "Ratio": 1.5,
          "Empty": "",
          "Nothing": null,
          "Ports": [],
          "Mounts": [{"Source": "/a", "Destination": "/b"}, {"Source": "/c", "Destination": "/d"}]
        }
        """;

    public static string Render(string template, string json = Container)
        => Template.Parse(template).Execute(JsonNode.Parse(json));

    public static string Error(string template, string json = Container)
        => Assert.Throws<TemplateException>(() => Render(template, json)).Message;
}

public sealed class StateReport
{
    public string Status { get; set; } = "";

    public int Pid { get; set; }

    public int? ExitCode { get; set; }
}

public sealed class ContainerReport
{
    public string ID { get; set; } = "";

    public List<string> Names { get; set; } = [];

    public StateReport State { get; set; } = new();

    public Dictionary<string, string> Labels { get; set; } = [];

    public Dictionary<string, int> Counts { get; set; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pod { get; set; }
}

[JsonSerializable(typeof(ContainerReport))]
internal sealed partial class TemplateTestJsonContext : JsonSerializerContext;
