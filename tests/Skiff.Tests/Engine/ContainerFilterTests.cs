using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Tests.Engine;

public sealed class ContainerFilterTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 2, 1, 0, 0, TimeSpan.Zero);
    private const string ImageId = "22c1b4a176055ac9073c670ec58a29232337f5d29682e616eed97d17b2034bbd";

    private static ContainerRecord C(string name, string id, int second, string state, int? exit = null, Dictionary<string, string>? labels = null) => new()
    {
        Name = name,
        Id = id.PadRight(64, '0'),
        Created = T.AddSeconds(second),
        State = state,
        ExitCode = exit,
        Labels = labels ?? [],
        ImageId = ImageId,
        ImageName = "localhost/busybox:latest",
        Command = ["sleep", second.ToString(System.Globalization.CultureInfo.InvariantCulture)],
    };

    // As the side-by-side run with podman 4.3: a1 (exit 0, labels foo=bar x=y), a2 (exit 3, foo=baz), c1 created, r1 running.
    private static readonly ContainerRecord[] All =
    [
        C("a1", "a631", 1, "exited", 0, new() { ["foo"] = "bar", ["x"] = "y" }),
        C("a2", "83d3", 2, "exited", 3, new() { ["foo"] = "baz" }),
        C("c1", "f3f0", 3, "created"),
        C("r1", "c8b4", 4, "running"),
    ];

    private static string[] Names(params string[] filters)
    {
        var f = ContainerFilter.Parse(filters, n => All.First(c => c.Name == n).Created, T.AddMinutes(1));
        return [.. All.Where(c => f.Matches(c, ContainerListing.StateOf(c))).Select(c => c.Name)];
    }

    [Theory]
    [InlineData("status=exited", "a1 a2")]
    [InlineData("status=stopped", "a1 a2")]
    [InlineData("status=created", "c1")]
    [InlineData("status=running", "r1")]
    [InlineData("status=paused", "")]
    [InlineData("exited=3", "a2")]
    [InlineData("exited=0", "a1")]
    [InlineData("name=a", "a1 a2")]
    [InlineData("name=^a1$", "a1")]
    [InlineData("id=^f3f", "c1")]
    [InlineData("id=3", "a1 a2 c1")]
    [InlineData("label=foo", "a1 a2")]
    [InlineData("label=foo=bar", "a1")]
    [InlineData("before=c1", "a1 a2")]
    [InlineData("since=a2", "c1 r1")]
    [InlineData("ancestor=localhost/busybox:latest", "a1 a2 c1 r1")]
    [InlineData("ancestor=localhost/busybox", "a1 a2 c1 r1")]
    [InlineData("ancestor=" + ImageId, "a1 a2 c1 r1")]
    [InlineData("ancestor=busybox", "")]
    [InlineData("until=2030-01-01", "a1 a2 c1 r1")]
    [InlineData("until=2020-01-01", "")]
    [InlineData("until=1h", "")]
    [InlineData("volume=/x", "")]
    [InlineData("health=healthy", "")]
    [InlineData("network=podman", "")]
    [InlineData("pod=x", "")]
    public void One_filter_matches_as_podmans(string filter, string expected)
        => Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), Names(filter));

    [Fact]
    public void Volume_matches_a_named_volume_the_container_mounts()
    {
        var withData = C("v1", "b7e1", 5, "running");
        withData.Volumes = ["data", "cache"];
        var f = ContainerFilter.Parse(["volume=data"], n => T, T.AddMinutes(1));
        Assert.True(f.Matches(withData, "running"));
        Assert.DoesNotContain(All, c => f.Matches(c, ContainerListing.StateOf(c)));
        Assert.False(ContainerFilter.Parse(["volume=other"], n => T, T.AddMinutes(1)).Matches(withData, "running"));
    }

    [Fact]
    public void Values_of_one_key_or_and_keys_and()
    {
        Assert.Equal(["a1", "c1"], Names("name=a1", "name=c1"));
        Assert.Equal(["a1", "c1"], Names("name=a1,name=c1"));
        Assert.Equal(["a1", "a2", "r1"], Names("status=exited", "status=running"));
        Assert.Equal(["a1"], Names("name=a", "status=exited", "exited=0"));
        // label= is the exception: every label given must be there.
        Assert.Equal(["a1"], Names("label=foo=bar", "label=x"));
        Assert.Empty(Names("label=foo=bar", "label=foo=baz"));
        // before= and since= take the oldest container named.
        Assert.Equal(["a1"], Names("before=r1", "before=a2"));
        Assert.Equal(["c1", "r1"], Names("since=a2", "since=c1"));
    }

    [Theory]
    [InlineData("status=bogus", "unknown container state: bogus: invalid argument")]
    [InlineData("exited=x", "exited code out of range \"x\": strconv.ParseInt: parsing \"x\": invalid syntax")]
    [InlineData("bogus=1", "bogus is an invalid filter")]
    [InlineData("label!=foo", "label! is an invalid filter")]
    [InlineData("nokey", "invalid filter \"nokey\"")]
    public void Bad_filters_are_podmans_errors(string filter, string message)
        => Assert.Equal(message, Assert.Throws<EngineException>(() => Names(filter)).Message);

    [Theory]
    [InlineData("created", "a1 a2 c1 r1")]
    [InlineData("names", "a1 a2 c1 r1")]
    [InlineData("id", "a2 a1 r1 c1")]
    [InlineData("status", "c1 a1 a2 r1")]
    [InlineData("command", "a1 a2 c1 r1")]
    public void Sorts_as_podmans(string key, string expected)
    {
        var items = All.Reverse().Select(c => new ContainerListItem(c, ContainerListing.StateOf(c)));
        Assert.Equal(expected.Split(' '), ContainerListing.Sort(items, key).Select(i => i.Container.Name));
    }

    [Fact]
    public void Runningfor_puts_the_never_started_first()
    {
        var started = All.Select(c => new ContainerListItem(c, c.State) { }).ToList();
        started[0].Container.StartedAt = T.AddSeconds(10);
        started[3].Container.StartedAt = T.AddSeconds(5);
        Assert.Equal(["a2", "c1", "r1", "a1"], ContainerListing.Sort(started, "runningfor").Select(i => i.Container.Name));
        started[0].Container.StartedAt = null;
        started[3].Container.StartedAt = null;
    }
}
