using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

[Collection(SkiffCollection.Name)]
public sealed class CliTests(SkiffEnvironment env)
{
    [Fact]
    public void Version_names_skiff()
    {
        var r = Command.Run(env.SkiffPath, ["version"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^Client:\s+Skiff Engine\nVersion:\s+\d+\.\d+\.\d+\n", r.Stdout);
    }

    [RootFact]
    public void Info_reports_the_store_in_json()
    {
        var r = env.Skiff("info", "--format", "json");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(Path.Combine(env.Work, "rootful", "root"), r.Stdout, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(env.Work, "rootful", "root") + "\n", env.Skiff("info", "--format", "{{.Store.GraphRoot}}").Stdout);
    }

    [Fact]
    public void Short_name_without_search_registries_fails_like_podman()
    {
        var r = Command.Run(env.SkiffPath, ["--root", Path.Combine(env.Work, "shortname"), "--runroot", Path.Combine(env.Work, "shortname-run"), "pull", "nope-not-here"],
            new Dictionary<string, string> { ["CONTAINERS_REGISTRIES_CONF"] = "/dev/null" });
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("short-name \"nope-not-here\" did not resolve", r.Stderr, StringComparison.Ordinal);
    }
}
