using System.Text.RegularExpressions;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// `ps` against podman 4.3.1's recorded output (tests/fixtures/podman, README.md there): the same four containers
/// (a1 and a2 exited with labels, c1 created, r1 running) give the same json, table, filters, sorts, -n, -l and -q.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed partial class PsTests(SkiffEnvironment env)
{
    private readonly string _store = "ps-" + Guid.NewGuid().ToString("N")[..8];

    private CommandResult S(params string[] args) => env.SkiffIn(_store, args);

    private CommandResult Must(params string[] args)
    {
        var r = S(args);
        Assert.True(r.ExitCode == 0, $"skiff {string.Join(' ', args)}: {r}");
        return r;
    }

    private string Fixture(string name) => File.ReadAllText(Path.Combine(env.RepoRoot, "tests", "fixtures", "podman", name));

    /// <summary>The containers podman's output was recorded with, created in the same order.</summary>
    private void FourContainers()
    {
        Must("pull", "-q", "--tls-verify=false", env.Busybox);
        Must("run", "--name", "a1", "-l", "foo=bar", "-l", "x=y", env.Busybox, "true");
        Assert.Equal(3, S("run", "--name", "a2", "-l", "foo=baz", env.Busybox, "sh", "-c", "exit 3").ExitCode);
        Must("create", "--name", "c1", env.Busybox, "sleep", "100");
        Must("run", "-d", "--name", "r1", env.Busybox, "sleep", "1000");
    }

    private void RemoveAll()
    {
        foreach (string id in Must("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)) S("rm", "-f", "-t", "0", id);
    }

    /// <summary>Ids, times, ages, pids and the registry's address replaced by placeholders: what is left is the shape.</summary>
    private static string Normalize(string text)
    {
        text = Hex64().Replace(text, "<ID>");
        text = Registry().Replace(text, "<registry>/");
        text = Ago().Replace(text, "<ago>");
        text = Unix().Replace(text, "${1}<unix>");
        text = Pid().Replace(text, "\"Pid\": <pid>");
        return text;
    }

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex Hex64();

    [GeneratedRegex(@"127\.0\.0\.1:\d+/")]
    private static partial Regex Registry();

    [GeneratedRegex(@"(\d+ (seconds?|minutes?)|Less than a second|About a minute) ago")]
    private static partial Regex Ago();

    [GeneratedRegex(@"(""(Created|ExitedAt|StartedAt)"": )1\d{9}")]
    private static partial Regex Unix();

    [GeneratedRegex(@"""Pid"": [1-9]\d*")]
    private static partial Regex Pid();

    [RootFact]
    public void Json_has_podmans_shape_field_for_field()
    {
        FourContainers();
        try
        {
            string ours = Must("ps", "-a", "--format", "json").Stdout;
            Assert.Equal(Normalize(Fixture("ps-a.json")), Normalize(ours));
            Assert.Equal(Normalize(Fixture("ps-a.json")), Normalize(Must("ps", "-a", "--format", "{{json .}}").Stdout));
        }
        finally { RemoveAll(); }
    }

    [RootFact]
    public void A_table_format_lays_out_as_podmans()
    {
        FourContainers();
        try
        {
            string ours = Must("ps", "-a", "--format", "table {{.ID}} {{.Command}} {{.Names}} {{.Labels}} {{.ExitCode}} {{.Pid}}").Stdout;
            ours = Regex.Replace(ours, @"  [0-9]{3,}\n", "  <pid>\n");
            string ids = "(?m)^[0-9a-f]{12}";
            Assert.Equal(Regex.Replace(Fixture("ps-a-table.txt"), ids, "<id>"), Regex.Replace(ours, ids, "<id>"));
            // The default table: podman's header and its status words. CREATED is padded to its widest value
            // ("1 second ago" beside "Less than a second ago"), so columns are apart by two spaces or more.
            string table = Must("ps", "-a").Stdout;
            Assert.Matches(@"^CONTAINER ID  IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES\n", table);
            Assert.Matches(@"\n[0-9a-f]{12}  \S+ +sh -c exit 3 +.+ ago +Exited \(3\) .+ ago +a2\n", table);
            Assert.Matches(@"\n[0-9a-f]{12}  \S+ +sleep 100 +.+ ago +Created +c1\n", table);
            Assert.Matches(@"\n[0-9a-f]{12}  \S+ +sleep 1000 +.+ ago +Up .+ ago +r1\n$", table);
        }
        finally { RemoveAll(); }
    }

    [RootFact]
    public void Filters_sorts_last_latest_and_quiet_give_podmans_answers()
    {
        FourContainers();
        try
        {
            // podman 4.3.1's answers for the same containers (recorded side by side).
            (string[] Args, string Names)[] cases =
            [
                (["-n", "2"], "c1 r1"),
                (["-l"], "r1"),
                ([], "r1"),
                (["-a", "--sort", "names"], "a1 a2 c1 r1"),
                (["-a", "--sort", "status"], "c1 a1 a2 r1"),
                (["-a", "--sort", "command"], "a2 c1 r1 a1"),
                (["-a", "--filter", "label=foo", "--filter", "status=exited"], "a1 a2"),
                (["-a", "--filter", "name=a1", "--filter", "name=c1"], "a1 c1"),
                (["-a", "--filter", "name=a1,name=c1"], "a1 c1"),
                (["-a", "--filter", "label=foo=bar", "--filter", "label=foo=baz"], ""),
                (["-a", "--filter", "exited=3"], "a2"),
                (["-a", "--filter", "since=a2"], "c1 r1"),
                (["-a", "--filter", "before=c1"], "a1 a2"),
                (["--filter", "status=created"], "c1"),
                (["-a", "--filter", "status=exited", "--filter", "status=running"], "a1 a2 r1"),
                (["-a", "--filter", "until=2000-01-01"], ""),
                (["-a", "-n", "1", "--filter", "name=a"], "a2"),
            ];
            foreach (var (args, names) in cases)
            {
                var r = Must(["ps", .. args, "--format", "{{.Names}}"]);
                Assert.True(names == string.Join(' ', r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)), $"ps {string.Join(' ', args)}: {r.Stdout}");
            }
            string all = Must("ps", "-a", "--no-trunc", "--format", "{{.ID}}").Stdout;
            Assert.Equal(Regex.Replace(all, "(?m)^([0-9a-f]{12})[0-9a-f]{52}$", "$1"), Must("ps", "-aq").Stdout);
            Assert.Equal(all, Must("ps", "-aq", "--no-trunc").Stdout);
            Assert.Matches("^[0-9a-f]{12}\n$", Must("container", "ls", "-q").Stdout);
            Assert.Equal(4, Must("container", "list", "-a", "--external", "--sync", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally { RemoveAll(); }
    }

    [RootFact]
    public void Bad_flags_are_podmans_errors()
    {
        (string[] Args, string Error)[] cases =
        [
            (["-n", "1", "-l"], "last and latest are mutually exclusive"),
            (["-q", "-s"], "quiet conflicts with size and namespace"),
            (["--ns", "-s"], "size and namespace options conflict"),
            (["--sort", "bogus"], "invalid argument \"bogus\" for \"--sort\" flag: \"bogus\" is not a valid value.  Choose from: \"command, created, id, image, names, runningfor, size, status\""),
            (["--filter", "status=bogus"], "unknown container state: bogus: invalid argument"),
            (["--filter", "bogus=1"], "bogus is an invalid filter"),
            (["--filter", "nokey"], "invalid filter \"nokey\""),
            (["--filter", "since=nope"], "no container with name or ID \"nope\" found: no such container"),
            (["extra"], "`skiff ps` takes no arguments"),
        ];
        foreach (var (args, error) in cases)
        {
            var r = S(["ps", .. args]);
            Assert.True(r.ExitCode == 125 && r.Stderr == $"Error: {error}\n", $"ps {string.Join(' ', args)}: {r}");
        }
    }

    [RootFact]
    public void Size_and_namespaces_add_podmans_columns()
    {
        FourContainers();
        try
        {
            string sized = Must("ps", "-a", "-s").Stdout;
            Assert.Matches(@"^CONTAINER ID .+ NAMES +SIZE\n", sized);
            Assert.Matches(@"  c1 +\d+(\.\d+)?[kMG]?B \(virtual \d+(\.\d+)?[kMG]?B\)\n", sized);
            string ns = Must("ps", "--ns").Stdout;
            Assert.Matches(@"^CONTAINER ID  NAMES +PID +CGROUPNS +IPC +MNT +NET +PIDNS +USERNS +UTS\n[0-9a-f]{12}  r1 +[1-9]\d* +(\d+ +){6}\d+\n$", ns);
        }
        finally { RemoveAll(); }
    }
}
