using System.Diagnostics;
using System.Text.RegularExpressions;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// `events`: what the engine records of a container's life, as podman 4.3.1 records it (tests/fixtures/podman),
/// read back with --stream=false, --since/--until and filters, and followed as it is written.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed partial class EventsTests(SkiffEnvironment env)
{
    private readonly string _store = "events-" + Guid.NewGuid().ToString("N")[..8];

    private CommandResult S(params string[] args) => env.SkiffIn(_store, args);

    private CommandResult Must(params string[] args)
    {
        var r = S(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
        return r;
    }

    private string Fixture(string name) => File.ReadAllText(Path.Combine(env.RepoRoot, "tests", "fixtures", "podman", name));

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Normalize(string text)
    {
        text = Regex.Replace(text, "[0-9a-f]{64}", "<ID>");
        text = Regex.Replace(text, @"127\.0\.0\.1:\d+/", "<registry>/");
        text = Regex.Replace(text, @"""Time"":""[^""]+""", "\"Time\":<time>");
        return Regex.Replace(text, @"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC ", "<time> ");
    }

    private void Pulled() => Must("pull", "-q", "--tls-verify=false", env.Busybox);

    [RootFact]
    public void A_run_rm_records_podmans_events_in_order()
    {
        Pulled();
        Must("run", "--rm", "--name", "ev1", "-l", "lab=one", env.Busybox, "true");
        var ours = Lines(Normalize(Must("events", "--stream=false", "--filter", "container=ev1", "--format", "json").Stdout));
        Assert.Equal(["create", "init", "start", "attach", "died", "cleanup", "remove"], ours.Select(l => Regex.Match(l, @"""Status"":""(\w+)""").Groups[1].Value));
        // Each line is podman's, field for field (podman 4.3 writes no cleanup event for --rm).
        Assert.Equal(Lines(Normalize(Fixture("events-run-rm.json"))), ours.Where(l => !l.Contains("\"cleanup\"", StringComparison.Ordinal)));
    }

    [RootFact]
    public void The_default_lines_are_podmans()
    {
        Pulled();
        Assert.Equal(2, S("run", "--name", "ev2", env.Busybox, "sh", "-c", "exit 2").ExitCode);
        Must("rm", "ev2");
        string ours = Must("system", "events", "--stream=false", "--filter", "container=ev2").Stdout;
        Assert.Equal(Normalize(Fixture("events-run.txt")), Normalize(ours));
        Assert.Equal("died 2\n", Must("events", "--stream=false", "--filter", "container=ev2", "--filter", "event=died", "--format", "{{.Status}} {{.ContainerExitCode}}").Stdout);
    }

    [RootFact]
    public void Since_until_and_filters_select_past_events()
    {
        Pulled();
        Must("run", "--rm", "--name", "early", env.Busybox, "true");
        // The next second: a whole second between the two runs, so times given in seconds separate them.
        var between = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= between.ToUnixTimeSeconds() + 1) Thread.Sleep(50);
        string mark = (between.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Must("run", "--rm", "-l", "k=v", "--name", "late", env.Busybox, "true");

        string Names(params string[] args) => string.Join(' ', Lines(Must(["events", "--stream=false", .. args, "--format", "{{.Name}}"]).Stdout).Distinct());
        Assert.Equal("late", Names("--since", mark, "--filter", "type=container"));
        Assert.Equal("early", Names("--until", mark, "--filter", "type=container"));
        Assert.Equal("late", Names("--since", DateTimeOffset.FromUnixTimeSeconds(long.Parse(mark, System.Globalization.CultureInfo.InvariantCulture)).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture), "--filter", "type=container"));
        Assert.Equal("early late", Names("--since", "10m", "--filter", "type=container"));
        Assert.Equal("", Names("--until", "2000-01-01"));
        Assert.Equal("late", Names("--filter", "label=k=v"));
        Assert.Equal(["start", "start"], Lines(Must("events", "--stream=false", "--filter", "event=start", "--format", "{{.Status}}").Stdout));
        Assert.Equal(["early", "late"], Lines(Must("events", "--stream=false", "--filter", "event=start", "--filter", "type=container", "--format", "{{.Name}}").Stdout));
        Assert.Equal(["pull"], Lines(Must("events", "--stream=false", "--filter", "type=image", "--format", "{{.Status}}").Stdout));

        (string[] Args, string Error)[] bad =
        [
            (["--filter", "bogus=1"], "bogus is an invalid filter"),
            (["--filter", "type=bogus"], "unknown event type \"bogus\""),
            (["--since", "bogus"], "unable to convert since time of bogus: unable to interpret time value"),
            (["--until", "x1"], "unable to convert until time of x1: unable to interpret time value"),
        ];
        foreach (var (args, error) in bad)
        {
            var r = S(["events", "--stream=false", .. args]);
            Assert.True(r.ExitCode == 125 && r.Stderr == $"Error: {error}\n", $"events {string.Join(' ', args)}: {r}");
        }
    }

    [RootFact]
    public void Streaming_follows_new_events_until_interrupted_or_until()
    {
        Pulled();
        // --since: the stream reads the log from its start, so the follower misses nothing however late it opens it
        // (without since or until a stream starts at the end of the log, as podman's).
        var psi = new ProcessStartInfo(env.SkiffPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--root", Path.Combine(env.Work, _store, "root"), "--runroot", Path.Combine(env.Work, _store, "run"),
                     "events", "--since", "10m", "--filter", "container=live", "--format", "{{.Status}}" })
            psi.ArgumentList.Add(a);
        using var follower = Process.Start(psi)!;
        try
        {
            var seen = new List<string>();
            var done = new TaskCompletionSource();
            follower.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (seen) seen.Add(e.Data);
                if (e.Data == "remove") done.TrySetResult();
            };
            follower.BeginOutputReadLine();
            Must("run", "--rm", "--name", "live", env.Busybox, "true");
            Assert.True(done.Task.Wait(TimeSpan.FromSeconds(60)), $"the follower saw only: {string.Join(' ', seen)}");
            lock (seen) Assert.Equal(["create", "init", "start", "attach", "died", "cleanup", "remove"], seen);
            Command.Must("kill", "-INT", follower.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(follower.WaitForExit(TimeSpan.FromSeconds(30)), "events went on after SIGINT");
        }
        finally
        {
            if (!follower.HasExited) follower.Kill();
        }
        // --until ends a stream by itself, after the past events.
        var until = S("events", "--until", "1s", "--filter", "container=live", "--format", "{{.Status}}");
        Assert.Equal(0, until.ExitCode);
        Assert.Equal("create", Lines(until.Stdout)[0]);
    }
}
