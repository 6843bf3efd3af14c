using Skiff.TestSupport;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Cli.Output;
using Skiff.Cli.Output.Templates;
using Skiff.Engine.Inspect;

namespace Skiff.Tests.Cli.Inspect;

/// <summary>
/// inspect's output over the engine's reports: the JSON array with podman's keys, order and types (compared with
/// what podman 4.3.1 printed on this machine, tests/fixtures/inspect), and templates as podman runs them.
/// </summary>
public sealed class InspectOutputTests
{
    /// <summary>Maps (whose keys are data, not shape) and what podman fills only with networks Skiff does not make.</summary>
    private static readonly HashSet<string> Maps =
    [
        ".GraphDriver.Data", ".Config.Labels", ".Config.Annotations", ".HostConfig.Tmpfs", ".NetworkSettings.Ports",
        ".HostConfig.PortBindings", ".Labels", ".Annotations", ".Config.Volumes", ".HostConfig.LogConfig.Config",
    ];

    internal static InspectContainerData Container(string status = "exited") => new()
    {
        Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        Created = new DateTimeOffset(2026, 12, 2, 0, 24, 51, TimeSpan.Zero).AddTicks(5787325),
        Path = "sh",
        Args = ["-c", "echo hi"],
        State = new InspectContainerState
        {
            OciVersion = "1.2.0",
            Status = status,
            Running = status == "running",
            Pid = status == "running" ? 42 : 0,
            ConmonPid = status == "running" ? 41 : 0,
            CgroupPath = status == "running" ? "/skiff/x" : null,
            ExitCode = 3,
            StartedAt = new DateTimeOffset(2026, 12, 2, 0, 24, 52, TimeSpan.Zero),
            FinishedAt = status == "running" ? DateTimeOffset.MinValue : new DateTimeOffset(2026, 12, 2, 0, 24, 53, TimeSpan.Zero),
            CheckpointedAt = DateTimeOffset.MinValue,
            RestoredAt = DateTimeOffset.MinValue,
        },
        Image = "12a5bfb42764",
        ImageName = "127.0.0.1:5000/library/busybox:latest",
        Name = "web",
        EffectiveCaps = ["CAP_CHOWN", "CAP_KILL"],
        BoundingCaps = ["CAP_CHOWN", "CAP_KILL"],
        GraphDriver = new InspectGraphDriver { Data = new() { ["UpperDir"] = "/u", ["LowerDir"] = "/l", ["WorkDir"] = "/w" } },
        Config = new InspectContainerConfig
        {
            Hostname = "0123456789ab",
            Env = ["PATH=/bin", "TERM=xterm"],
            Cmd = ["-c", "echo hi"],
            Entrypoint = "sh",
            Labels = new() { ["z"] = "1", ["a"] = "<b>&" },
            Annotations = new() { ["x"] = "y" },
            StopSignal = 15,
            StopTimeout = 10,
            CreateCommand = ["skiff", "run", "busybox"],
        },
        HostConfig = new InspectContainerHostConfig
        {
            Ulimits = [new InspectUlimit { Name = "RLIMIT_NOFILE", Soft = 1024, Hard = 1024 }],
            CapDrop = ["CAP_MKNOD"],
        },
    };

    internal static InspectImageData Image() => new()
    {
        Id = "12a5bfb42764ad535ccf498364cbcdc5ee51e97a3f6c3355be91b4508a2720e0",
        Digest = "sha256:a0d7",
        RepoTags = ["127.0.0.1:5000/library/busybox:latest"],
        RepoDigests = ["127.0.0.1:5000/library/busybox@sha256:a0d7"],
        Created = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
        Config = new InspectImageConfig { Env = ["PATH=/bin"], Cmd = ["sh"] },
        Architecture = "amd64",
        Os = "linux",
        Size = 2131098,
        VirtualSize = 2131098,
        GraphDriver = new InspectGraphDriver { Data = new() { ["UpperDir"] = "/u", ["WorkDir"] = "/w" } },
        RootFS = new InspectRootFs { Layers = ["sha256:b135"] },
        ManifestType = "application/vnd.oci.image.manifest.v1+json",
        History = [new InspectImageHistory { Created = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), CreatedBy = "make-image.sh busybox" }],
        NamesHistory = ["127.0.0.1:5000/library/busybox:latest"],
    };

    internal static InspectItem Item(InspectContainerData c)
        => new(JsonSerializer.SerializeToNode(c, InspectJsonContext.Default.InspectContainerData), InspectJsonContext.Default.InspectContainerData);

    internal static InspectItem Item(InspectImageData i)
        => new(JsonSerializer.SerializeToNode(i, InspectJsonContext.Default.InspectImageData), InspectJsonContext.Default.InspectImageData);

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "inspect", name));

    [Theory]
    [InlineData("podman-container.json", "exited")]
    [InlineData("podman-container-running.json", "running")]
    public void Container_json_has_podmans_keys_order_and_types(string fixture, string status)
    {
        var ours = JsonNode.Parse(InspectOutput.Render([Item(Container(status))], null))!;
        var podmans = JsonNode.Parse(Fixture(fixture))!;
        Assert.Empty(ShapeDifferences(podmans, ours, ""));
    }

    [Fact]
    public void Image_json_has_podmans_keys_order_and_types()
    {
        var ours = JsonNode.Parse(InspectOutput.Render([Item(Image())], null))!;
        Assert.Empty(ShapeDifferences(JsonNode.Parse(Fixture("podman-image.json"))!, ours, ""));
    }

    [Fact]
    public void The_shape_check_sees_a_missing_or_moved_key()
    {
        var podmans = JsonNode.Parse("""[{"A":1,"B":{"C":"x"},"D":[1]}]""")!;
        Assert.NotEmpty(ShapeDifferences(podmans, JsonNode.Parse("""[{"B":{"C":"x"},"A":1,"D":[1]}]""")!, ""));
        Assert.NotEmpty(ShapeDifferences(podmans, JsonNode.Parse("""[{"A":1,"B":{"C":1},"D":[1]}]""")!, ""));
        Assert.NotEmpty(ShapeDifferences(podmans, JsonNode.Parse("""[{"A":1,"B":{},"D":[1]}]""")!, ""));
        Assert.Empty(ShapeDifferences(podmans, JsonNode.Parse("""[{"A":2,"B":{"C":"y"},"D":[]}]""")!, ""));
    }

    private static List<string> ShapeDifferences(JsonNode? podmans, JsonNode? ours, string path) => JsonShape.Differences(podmans, ours, path, Maps);

    [Fact]
    public void Json_is_indented_as_podmans_without_html_escaping_and_map_keys_sorted()
    {
        string json = InspectOutput.Render([Item(Container())], null);
        Assert.StartsWith("[\n     {\n          \"Id\": \"0123456789abcdef", json, StringComparison.Ordinal);
        Assert.EndsWith("\n     }\n]\n", json, StringComparison.Ordinal);
        Assert.Contains("\"Labels\": {\n                    \"a\": \"<b>&\",\n                    \"z\": \"1\"\n               },", json, StringComparison.Ordinal);
        Assert.Contains("\"ExecIDs\": [],", json, StringComparison.Ordinal);
        Assert.Contains("\"Created\": \"2026-12-02T00:24:51.5787325Z\",", json, StringComparison.Ordinal);
        Assert.Contains("\"CheckpointedAt\": \"0001-01-01T00:00:00Z\",", json, StringComparison.Ordinal);
        Assert.Contains("\"Log\": null", json, StringComparison.Ordinal);
        Assert.Contains("\"sdNotifyMode\": \"container\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"ConmonPid\":", json, StringComparison.Ordinal); // omitempty, as podman's
        Assert.DoesNotContain("SizeRw", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("json")]
    [InlineData(" {{ json . }} ")]
    [InlineData("{{json .}}")]
    public void No_format_json_and_json_dot_print_the_array(string? format)
        => Assert.Equal(InspectOutput.Render([Item(Container())], null), InspectOutput.Render([Item(Container())], format));

    [Fact]
    public void Nothing_found_prints_an_empty_array()
        => Assert.Equal("[]\n", InspectOutput.Render([], null));

    [Theory]
    [InlineData("{{.Name}}", "web\n")]
    [InlineData("{{.Id}} {{.ID}}", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")]
    [InlineData("{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}", "exited 3 false\n")]
    [InlineData("{{.Config.Labels}}", "map[a:<b>& z:1]\n")]
    [InlineData("{{.Config.Labels.z}}|{{.Config.Labels.nope}}", "1|<no value>\n")]
    [InlineData("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "a=<b>&;z=1;\n")]
    [InlineData("{{range .Config.Env}}{{.}},{{end}}", "PATH=/bin,TERM=xterm,\n")]
    [InlineData("{{if .State.Running}}up{{else if eq .State.Status \"exited\"}}down {{.State.ExitCode}}{{else}}?{{end}}", "down 3\n")]
    [InlineData("{{.Config.Cmd}} {{.Config.Entrypoint}} {{.Args}}", "[-c echo hi] sh [-c echo hi]\n")]
    [InlineData("{{.Created}}", "2026-12-02 00:24:51.5787325 +0000 UTC\n")]
    [InlineData("{{.State.StartedAt}}|{{.State.CheckpointedAt}}", "2026-12-02 00:24:52 +0000 UTC|0001-01-01 00:00:00 +0000 UTC\n")]
    [InlineData("{{json .State.StartedAt}}", "\"2026-12-02T00:24:52Z\"\n")]
    [InlineData("{{printf \"%T\" .Created}}", "time.Time\n")]
    [InlineData("{{.HostConfig.RestartPolicy}}", "{ 0}\n")]
    [InlineData("{{json .Config.Labels}}", "{\"a\":\"<b>&\",\"z\":\"1\"}\n")]
    [InlineData("{{.Config.SdNotifyMode}} {{.Config.sdNotifyMode}}", "container container\n")]
    [InlineData("{{len .Config.Env}} {{index .Config.Env 1}} {{join .Config.Cmd \"+\"}}", "2 TERM=xterm -c+echo hi\n")]
    [InlineData("{{.Name}}\\t{{.State.Pid}}", "web\t0\n")]
    [InlineData("{{.GraphDriver.Data.UpperDir}}", "/u\n")]
    [InlineData("{{.HostConfig.Ulimits}}", "[{RLIMIT_NOFILE 1024 1024}]\n")]
    public void Templates_read_the_report_as_podmans(string format, string expected)
        => Assert.Equal(expected, InspectOutput.Render([Item(Container())], format));

    [Fact]
    public void Nil_maps_and_lists_print_as_gos_and_encode_as_null()
    {
        var c = Container();
        c.Config.Labels = null;
        Assert.Equal("map[]|null|<no value>|[]|0|no labels|null\n",
            InspectOutput.Render([Item(c)], "{{.Config.Labels}}|{{json .Config.Labels}}|{{.Config.Labels.x}}|{{.HostConfig.VolumesFrom}}|{{len .Config.Labels}}|{{if .Config.Labels}}labels{{else}}no labels{{end}}|{{json .State.Health.Log}}"));
    }

    [Fact]
    public void A_template_runs_once_per_object_containers_and_images_mixed()
        => Assert.Equal("web\n12a5bfb42764ad535ccf498364cbcdc5ee51e97a3f6c3355be91b4508a2720e0\n",
            InspectOutput.Render([Item(Container()), Item(Image())], "{{.Id}}").Replace("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web", StringComparison.Ordinal));

    [Fact]
    public void Image_fields_by_go_names()
        => Assert.Equal("2024-01-01 00:00:00 +0000 UTC make-image.sh busybox [sha256:b135] [sh]\n",
            InspectOutput.Render([Item(Image())], "{{.Created}} {{range .History}}{{.CreatedBy}}{{end}} {{.RootFS.Layers}} {{.Config.Cmd}}"));

    [Theory]
    [InlineData("{{.Nope}}", "template: inspect:1:13: executing \"inspect\" at <.Nope>: can't evaluate field Nope in type interface {}")]
    [InlineData("{{.State.Nope}}", "template: inspect:1:19: executing \"inspect\" at <.State.Nope>: can't evaluate field Nope in type InspectContainerState")]
    public void Errors_are_podmans(string format, string message)
        => Assert.Equal(message, Assert.Throws<TemplateException>(() => InspectOutput.Render([Item(Container())], format)).Message);

    [Fact]
    public void What_rendered_before_an_error_is_printed()
    {
        using var output = new StringWriter();
        Assert.Throws<TemplateException>(() => InspectOutput.Parse("{{.Name}}").Render([Item(Container()), Item(Image())], output));
        Assert.Equal("web\n", output.ToString());
    }
}
