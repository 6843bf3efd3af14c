using System.Text.Json.Nodes;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// inspect (container, image, --type, --format, -s, -l, missing names), container init then start, and container
/// prune, with podman's output: the JSON's keys, order and types are compared with what podman 4.3.1 printed
/// (tests/fixtures/inspect), the messages and exit codes with podman's. Each test has a store of its own.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class InspectTests(SkiffEnvironment env)
{
    /// <summary>Maps (their keys are data) in podman's reports.</summary>
    private static readonly HashSet<string> Maps =
    [
        ".GraphDriver.Data", ".Config.Labels", ".Config.Annotations", ".HostConfig.Tmpfs", ".NetworkSettings.Ports",
        ".HostConfig.PortBindings", ".Labels", ".Annotations", ".Config.Volumes", ".HostConfig.LogConfig.Config",
    ];

    private readonly string _store = "inspect-" + Guid.NewGuid().ToString("N")[..8];

    private CommandResult S(params string[] args) => env.SkiffIn(_store, args);

    private CommandResult Must(params string[] args)
    {
        var r = S(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
        return r;
    }

    private void Pulled() => Must("pull", "-q", "--tls-verify=false", env.Busybox);

    private JsonNode Fixture(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(env.RepoRoot, "tests", "fixtures", "inspect", name)))!;

    private static JsonArray Json(CommandResult r) => Assert.IsType<JsonArray>(JsonNode.Parse(r.Stdout));

    private static void FailOn(CommandResult r, string stdout, string stderr)
    {
        Assert.True(r.ExitCode == 125, r.ToString());
        Assert.Equal(stdout, r.Stdout);
        Assert.Equal(stderr, r.Stderr);
    }

    [RootFact]
    public void Container_inspect_is_podmans_shape_with_the_containers_values()
    {
        Pulled();
        string id = Must("create", "--name", "web", "-l", "a=b", "-e", "X=1", "-w", "/tmp", "--stop-timeout", "5", env.Busybox, "sh", "-c", "echo hi > /f; exit 3").Stdout.Trim();
        var exited = S("start", "-a", "web"); // runs to its end
        Assert.Equal(3, exited.ExitCode);

        foreach (var verb in new[] { new[] { "inspect", "web" }, ["container", "inspect", "web"], ["inspect", "--type", "container", id[..12]] })
        {
            var r = Must(verb);
            Assert.StartsWith("[\n     {\n          \"Id\": ", r.Stdout, StringComparison.Ordinal);
            var list = Json(r);
            var c = Assert.Single(list)!;
            Assert.Empty(ShapeDifferences(Fixture("podman-container.json")[0], c, ""));
            Assert.Equal(id, (string?)c["Id"]);
            Assert.Equal("web", (string?)c["Name"]);
            Assert.Equal("sh", (string?)c["Path"]);
            Assert.Equal("exited", (string?)c["State"]!["Status"]);
            Assert.Equal(3, (int?)c["State"]!["ExitCode"]);
            Assert.False((bool?)c["State"]!["Running"]);
            Assert.Equal($"{env.Busybox}:latest", (string?)c["ImageName"]);
            Assert.Equal("b", (string?)c["Config"]!["Labels"]!["a"]);
            Assert.Equal("/tmp", (string?)c["Config"]!["WorkingDir"]);
            Assert.Equal(5, (int?)c["Config"]!["StopTimeout"]);
            Assert.Contains("X=1", c["Config"]!["Env"]!.AsArray().Select(e => (string?)e));
            Assert.Equal(["-c", "echo hi > /f; exit 3"], c["Args"]!.AsArray().Select(e => (string?)e));
            Assert.Equal(["sh", "-c", "echo hi > /f; exit 3"], c["Config"]!["Cmd"]!.AsArray().Select(e => (string?)e));
            Assert.EndsWith("Z", (string?)c["State"]!["FinishedAt"], StringComparison.Ordinal);
            Assert.Null(c["SizeRw"]);
        }

        var sized = Json(Must("inspect", "-s", "web"))[0]!;
        Assert.True((long?)sized["SizeRw"] >= 3, sized["SizeRw"]?.ToJsonString());
        Assert.True((long?)sized["SizeRootFs"] > (long?)sized["SizeRw"]);
        Assert.Equal("1", Must("inspect", "--size", "--format", "{{if ge .SizeRw 3}}1{{end}}", "web").Stdout.Trim());
    }

    [RootFact]
    public void Image_inspect_is_podmans_shape_with_the_images_values()
    {
        Pulled();
        string id = Must("images", "-q", "--no-trunc").Stdout.Trim().Replace("sha256:", "", StringComparison.Ordinal);
        foreach (var verb in new[] { new[] { "image", "inspect", env.Busybox }, ["inspect", "busybox"], ["inspect", "--type", "image", id[..12]] })
        {
            var image = Assert.Single(Json(Must(verb)))!;
            Assert.Empty(ShapeDifferences(Fixture("podman-image.json")[0], image, ""));
            Assert.Equal(id, (string?)image["Id"]);
            Assert.Equal([$"{env.Busybox}:latest"], image["RepoTags"]!.AsArray().Select(e => (string?)e));
            Assert.StartsWith($"{env.Busybox}@sha256:", (string?)image["RepoDigests"]![0], StringComparison.Ordinal);
            Assert.Equal("2024-01-01T00:00:00Z", (string?)image["Created"]);
            Assert.Equal(["sh"], image["Config"]!["Cmd"]!.AsArray().Select(e => (string?)e));
            Assert.Equal("application/vnd.oci.image.manifest.v1+json", (string?)image["ManifestType"]);
            Assert.Equal("skiff test layer 0", (string?)image["History"]![0]!["created_by"]); // the harness's image (OciLayoutBuilder)
        }
        Assert.Equal($"{id} {id} 2024-01-01 00:00:00 +0000 UTC skiff test layer 0 linux\n",
            Must("image", "inspect", "--format", "{{.Id}} {{.ID}} {{.Created}} {{range .History}}{{.CreatedBy}}{{end}} {{.Os}}", "busybox").Stdout);
    }

    [RootFact]
    public void Format_reads_nested_fields_maps_ranges_and_conditions()
    {
        Pulled();
        Must("run", "-d", "--name", "up", "-l", "foo=bar", "-l", "a=b", env.Busybox, "sleep", "60");
        Must("run", "--name", "down", env.Busybox, "true");
        var r = Must("inspect", "--format",
            "{{.Name}} {{.State.Status}} {{.Config.Labels}} {{.Config.Labels.foo}} {{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}} {{if .State.Running}}up{{else}}down{{end}} {{len .Config.Cmd}} {{json .Config.Cmd}}",
            "up", "down");
        Assert.Equal("up running map[a:b foo:bar] bar a=b;foo=bar; up 2 [\"sleep\",\"60\"]\n" +
                     "down exited map[] <no value>  down 1 [\"true\"]\n", r.Stdout);
        Assert.Equal("up\tPID>0\n", Must("inspect", "--format", "{{.Name}}\\t{{if gt .State.Pid 0}}PID>0{{end}}", "up").Stdout);
        Assert.Equal("[\"up\"]\n", Must("inspect", "--format", "{{json .Name | printf \"[%s]\"}}", "up").Stdout);
        Assert.Equal(Must("inspect", "up").Stdout, Must("inspect", "--format", "json", "up").Stdout);
        // --latest: the container created last.
        Assert.Equal("down\n", Must("inspect", "-l", "--format", "{{.Name}}").Stdout);
        Assert.Equal("down\n", Must("container", "inspect", "--latest", "--format", "{{.Name}}").Stdout);
        Must("rm", "-f", "-t", "0", "up");
    }

    [RootFact]
    public void Missing_names_and_fields_are_podmans_errors()
    {
        FailOn(S("inspect", "-l"), "[]\n", "Error: inspecting object: no containers to inspect: no such container\n");
        FailOn(S("container", "init", "-l"), "", "Error: no such container\n");
        FailOn(S("container", "init"), "", "Error: you must provide at least one name or id\n");
        Pulled();
        Must("create", "--name", "here", env.Busybox, "true");
        FailOn(S("inspect", "nope"), "[]\n", "Error: inspecting object: no such object: \"nope\"\n");
        FailOn(S("inspect", "--format", "{{.Name}}", "here", "nope"), "here\n", "Error: inspecting object: no such object: \"nope\"\n");
        FailOn(S("inspect", "--format", "{{.Name}}", "n1", "here", "n2"), "here\n",
            "error inspecting object: no such object: \"n2\"\nError: inspecting object: no such object: \"n1\"\n");
        FailOn(S("container", "inspect", "nope"), "[]\n", "Error: inspecting object: no such container nope\n");
        FailOn(S("image", "inspect", "nope"), "[]\n", "Error: inspecting object: nope: image not known\n");
        FailOn(S("inspect", "--format", "{{.Nope}}", "here"), "",
            "Error: inspecting object: printing inspect output: template: inspect:1:13: executing \"inspect\" at <.Nope>: can't evaluate field Nope in type interface {}\n");
        FailOn(S("inspect", "--format", "{{.Config.Nope}}", "here"), "",
            "Error: inspecting object: printing inspect output: template: inspect:1:20: executing \"inspect\" at <.Config.Nope>: can't evaluate field Nope in type InspectContainerConfig\n");
        FailOn(S("inspect"), "", "Error: no names or ids specified\n");
        FailOn(S("inspect", "-l", "here"), "", "Error: --latest and arguments cannot be used together\n");
    }

    [RootFact]
    public void Type_chooses_containers_or_images()
    {
        Pulled();
        Must("create", "--name", "ctr", env.Busybox, "true");
        FailOn(S("inspect", "--type", "image", "ctr"), "[]\n", "Error: inspecting object: ctr: image not known\n");
        FailOn(S("inspect", "--type", "container", env.Busybox), "[]\n", $"Error: inspecting object: no such container {env.Busybox}\n");
        FailOn(S("inspect", "--type", "bogus", "ctr"), "",
            "Error: invalid type \"bogus\": must be \"image\", \"container\", \"pod\", \"network\", \"volume\", or \"all\"\n");
        // all (the default): containers first, then images, in the order given.
        string ctr = Must("container", "inspect", "--format", "{{.Id}}", "ctr").Stdout;
        string image = Must("image", "inspect", "--format", "{{.Id}}", "busybox").Stdout;
        Assert.Equal(image + ctr, Must("inspect", "--format", "{{.Id}}", "busybox", "ctr").Stdout);
        Assert.Equal(ctr, Must("inspect", "--type", "all", "--format", "{{.ID}}", "ctr").Stdout);
    }

    [RootFact]
    public void Init_creates_the_process_and_start_starts_it()
    {
        Pulled();
        Must("create", "--name", "later", env.Busybox, "sh", "-c", "echo started");
        Assert.Equal("later\n", Must("container", "init", "later").Stdout);
        var state = Must("inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.State.Pid}}", "later").Stdout.Trim().Split(' ');
        Assert.Equal(["initialized", "false"], state[..2]);
        int pid = int.Parse(state[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pid > 0 && Directory.Exists($"/proc/{pid}"), $"pid {pid}");
        Assert.Equal("Initialized\n", Must("ps", "-a", "--format", "{{.Status}}").Stdout);
        Assert.Equal("", Must("logs", "later").Stdout); // the program has not run

        FailOn(S("container", "init", "later"), "", $"Error: container {Must("inspect", "--format", "{{.Id}}", "later").Stdout.Trim()} has already been created in runtime: container state improper\n");
        FailOn(S("container", "init", "nope"), "", "Error: no container with name or ID \"nope\" found: no such container\n");

        Assert.Equal("later\n", Must("start", "later").Stdout);
        Assert.Equal("0\n", Must("wait", "later").Stdout);
        Assert.Equal("started\n", Must("logs", "later").Stdout);
        Assert.Equal("exited 0", Must("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "later").Stdout.Trim());
        Assert.False(Directory.Exists($"/proc/{pid}"));

        // An exited container can be initialized again; removing an initialized one ends its process.
        Must("container", "init", "later");
        int again = int.Parse(Must("inspect", "--format", "{{.State.Pid}}", "later").Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Directory.Exists($"/proc/{again}"));
        Must("rm", "later");
        Assert.False(Directory.Exists($"/proc/{again}"), $"pid {again} outlived its container");
        Assert.Equal("", Must("ps", "-a", "-q").Stdout);
    }

    [RootFact]
    public void Prune_asks_then_removes_the_containers_that_are_not_running()
    {
        Pulled();
        string kept = Must("create", "--name", "kept", "-l", "keep=1", env.Busybox, "true").Stdout.Trim();
        Must("run", "--name", "exited", env.Busybox, "true");
        string exited = Must("inspect", "--format", "{{.Id}}", "exited").Stdout.Trim();
        string running = Must("run", "-d", "--name", "running", env.Busybox, "sleep", "60").Stdout.Trim();
        string[] Names() => Must("ps", "-a", "--format", "{{.Names}}").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        string root = Path.Combine(env.Work, _store, "root"), run = Path.Combine(env.Work, _store, "run");
        CommandResult Prune(string stdin, params string[] args)
            => Command.Run(env.SkiffPath, ["--root", root, "--runroot", run, "container", "prune", .. args], stdin: stdin);
        // The prompt ends without a newline (the harness reads lines: it adds one where the output ends).
        const string Prompt = "WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ";

        var no = Prune("n\n");
        Assert.Equal((0, Prompt + "\n"), (no.ExitCode, no.Stdout));
        FailOn(Prune(""), Prompt + "\n", "Error: EOF\n");
        Assert.Equal(["exited", "kept", "running"], Names());

        FailOn(Prune("", "-f", "--filter", "bogus=1"), "", "Error: bogus is an invalid filter\n");
        Assert.Equal($"{kept}\n", Must("container", "prune", "-f", "--filter", "label=keep=1").Stdout);
        Assert.Equal("", Must("container", "prune", "--force", "--filter", "until=1h").Stdout); // none is an hour old
        Assert.Equal(["exited", "running"], Names());

        var yes = Prune("y\n");
        Assert.Equal((0, Prompt + exited + "\n"), (yes.ExitCode, yes.Stdout));
        Assert.Equal(["running"], Names());
        Must("rm", "-f", "-t", "0", running);
    }

    [RootFact]
    public void Rootless_inspect_init_and_prune_work_in_the_users_store()
    {
        CommandResult R(params string[] args)
        {
            var r = env.SkiffRootless(args);
            Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
            return r;
        }
        string name = "ri-" + Guid.NewGuid().ToString("N")[..8];
        R("pull", "-q", "--tls-verify=false", env.Busybox);
        R("create", "--name", name, "-l", "rootless-inspect=" + name, env.Busybox, "sh", "-c", "echo $$ > /pid; echo ran");
        Assert.Equal($"{name} created\n", R("inspect", "--format", "{{.Name}} {{.State.Status}}", name).Stdout);
        Assert.Equal($"{env.Busybox}:latest\n", R("image", "inspect", "--format", "{{index .RepoTags 0}}", env.Busybox).Stdout);
        R("container", "init", name);
        Assert.Equal("initialized\n", R("container", "inspect", "--format", "{{.State.Status}}", name).Stdout);
        R("start", name);
        Assert.Equal("0\n", R("wait", name).Stdout);
        Assert.Equal("ran\n", R("logs", name).Stdout);
        Assert.True(Assert.Single(Json(R("inspect", "-s", name)))!["SizeRw"]!.GetValue<long>() >= 2);
        string id = R("inspect", "--format", "{{.Id}}", name).Stdout;
        Assert.Equal(id, R("container", "prune", "-f", "--filter", "label=rootless-inspect=" + name).Stdout);
        var gone = env.SkiffRootless("inspect", name);
        Assert.Equal(125, gone.ExitCode);
    }

    private static List<string> ShapeDifferences(JsonNode? podmans, JsonNode? ours, string path) => JsonShape.Differences(podmans, ours, path, Maps);
}
