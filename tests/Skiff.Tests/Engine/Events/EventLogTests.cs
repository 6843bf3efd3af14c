using Skiff.Engine;
using Skiff.Engine.Events;

namespace Skiff.Tests.Engine.Events;

public sealed class EventLogTests : IDisposable
{
    private static readonly DateTimeOffset T = new(2026, 12, 2, 1, 2, 3, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-events-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static EngineEvent Start(DateTimeOffset time, Dictionary<string, string>? labels = null) => new(
        EventTypes.Container, "start", time, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "web",
        "docker.io/library/busybox:latest", labels ?? []);

    [Fact]
    public void A_container_event_is_podmans_json_line()
        => Assert.Equal(
            """{"ID":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","Image":"docker.io/library/busybox:latest","Name":"web","Status":"start","Time":"2026-12-02T01:02:03.1234567Z","Type":"container","Attributes":{"a":"1","b":"2"}}""",
            Start(T.AddTicks(1234567), new() { ["b"] = "2", ["a"] = "1" }).ToJson());

    [Fact]
    public void The_exit_code_comes_first_and_only_when_not_zero()
    {
        var died = Start(T) with { Status = "died", ContainerExitCode = 3 };
        Assert.StartsWith("""{"ContainerExitCode":3,"ID":""", died.ToJson(), StringComparison.Ordinal);
        Assert.DoesNotContain("ContainerExitCode", (died with { ContainerExitCode = 0 }).ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_event_has_null_attributes_and_its_own_line()
    {
        var e = new EngineEvent(EventTypes.Image, "pull", T, "abc", "host/busybox");
        Assert.Equal("""{"ID":"abc","Name":"host/busybox","Status":"pull","Time":"2026-12-02T01:02:03Z","Type":"image","Attributes":null}""", e.ToJson());
        Assert.Equal("2026-12-02 01:02:03 +0000 UTC image pull abc host/busybox", e.ToHumanReadable());
    }

    [Fact]
    public void The_human_line_is_podmans()
        => Assert.Equal(
            "2026-12-02 01:02:03.12345 +0000 UTC container start 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef (image=docker.io/library/busybox:latest, name=web, lab=one)",
            Start(T.AddTicks(1234500), new() { ["lab"] = "one" }).ToHumanReadable());

    [Fact]
    public void A_line_parses_back_to_the_same_event()
    {
        var e = Start(T.AddTicks(1), new() { ["k"] = "v" }) with { ContainerExitCode = 137, Status = "died" };
        var back = EngineEvent.Parse(e.ToJson());
        Assert.NotNull(back);
        Assert.Equal(e.ToJson(), back.ToJson());
        // podman's own lines have nanoseconds: the first seven digits are kept.
        var podman = EngineEvent.Parse("""{"ID":"x","Name":"n","Status":"remove","Time":"2026-12-02T00:26:02.976482903Z","Type":"container","Attributes":{}}""");
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 0, 26, 2, TimeSpan.Zero).AddTicks(9764829), podman!.Time);
        Assert.Null(EngineEvent.Parse("{\"torn\":"));
        Assert.Null(EngineEvent.Parse("[]"));
    }

    [Fact]
    public void Events_are_appended_as_lines_and_read_back_in_order()
    {
        var log = new EventLog(_dir);
        log.Write(Start(T));
        log.Write(Start(T.AddSeconds(1)) with { Status = "died" });
        File.AppendAllText(log.FilePath, "{\"torn"); // a writer killed half-way must not hide the rest
        log.Write(Start(T.AddSeconds(2)) with { Status = "remove" });
        Assert.Equal(["start", "died", "remove"], log.ReadAll().Select(e => e.Status));
        Assert.Equal(3, File.ReadAllLines(log.FilePath).Length); // the torn line and the next share one
    }

    [Fact]
    public void The_log_is_rotated_once_past_its_size_and_stays_bounded()
    {
        var log = new EventLog(_dir, maxSize: 2000);
        for (int i = 0; i < 200; i++) log.Write(Start(T.AddSeconds(i)));
        long total = new FileInfo(log.FilePath).Length + new FileInfo(log.RotatedPath).Length;
        Assert.True(total < 2 * 2000 + 1000, $"{total} bytes kept");
        var kept = log.ReadAll().Select(e => e.Time).ToList();
        Assert.Equal(kept.Order(), kept); // oldest first across the two files
        Assert.Equal(T.AddSeconds(199), kept[^1]);
    }

    [Fact]
    public async Task A_follower_gets_past_events_then_new_ones_through_a_rotation()
    {
        // About 13 lines to a file: the 21 written pass one rotation while the follower reads.
        var log = new EventLog(_dir, maxSize: 3000);
        log.Write(Start(T));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var first = new SemaphoreSlim(0);
        var seen = new List<EngineEvent>();
        var follower = Task.Run(() =>
        {
            foreach (var e in log.Follow(cts.Token))
            {
                seen.Add(e);
                if (seen.Count == 1) first.Release();
                if (e.Status == "remove") break;
            }
        });
        await first.WaitAsync(cts.Token);
        for (int i = 1; i <= 19; i++) log.Write(Start(T.AddSeconds(i)));
        log.Write(Start(T.AddSeconds(20)) with { Status = "remove" });
        await follower.WaitAsync(cts.Token);
        Assert.True(File.Exists(log.RotatedPath), "the log was not rotated");
        Assert.Equal(Enumerable.Range(0, 21).Select(i => T.AddSeconds(i)), seen.Select(e => e.Time));
    }

    [Fact]
    public async Task A_follower_from_the_end_gets_only_new_events()
    {
        var log = new EventLog(_dir);
        log.Write(Start(T));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var e = log.Follow(cts.Token, fromStart: false).GetEnumerator();
        var next = Task.Run(e.MoveNext, cts.Token);
        // Events keep coming until the follower gives one: whenever it opened the log, the first it gives is new.
        while (!next.IsCompleted)
        {
            log.Write(Start(T.AddSeconds(1)) with { Status = "died" });
            await Task.WhenAny(next, Task.Delay(100, cts.Token));
        }
        Assert.True(await next);
        Assert.Equal("died", e.Current.Status);
    }

    [Fact]
    public void A_cancelled_follow_still_gives_the_past()
    {
        var log = new EventLog(_dir);
        log.Write(Start(T));
        Assert.Single(log.Follow(new CancellationToken(canceled: true)));
    }
}

public sealed class TimeInputTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-12-02T01:02:03Z", "2026-12-02T01:02:03+00:00")]
    [InlineData("2026-12-02T01:02:03.5+01:00", "2026-12-02T00:02:03.5+00:00")]
    [InlineData("2026-12-02T01:02:03.123456789Z", "2026-12-02T01:02:03.1234567+00:00")]
    [InlineData("2026-12-02T01:02:03", "2026-12-02T01:02:03+00:00")]
    [InlineData("2026-12-02", "2026-12-02T00:00:00+00:00")]
    [InlineData("1796171105", "2026-12-02T00:25:05+00:00")]
    [InlineData("1796171105.25", "2026-12-02T00:25:05.25+00:00")]
    [InlineData("10m", "2026-12-02T11:50:00+00:00")]
    [InlineData("1h30m", "2026-12-02T10:30:00+00:00")]
    [InlineData("1.5s", "2026-12-02T11:59:58.5+00:00")]
    [InlineData("-1h", "2026-12-02T13:00:00+00:00")]
    public void Times_are_read_as_podman_reads_them(string input, string expected)
        => Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TimeInput.Parse(input, Now));

    [Fact]
    public void A_duration_counts_forward_for_until()
        => Assert.Equal(Now.AddSeconds(10), TimeInput.Parse("10s", Now, forward: true));

    [Theory]
    [InlineData("bogus")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("")]
    [InlineData("2026-13-45")]
    public void Anything_else_is_an_error(string input)
    {
        // "10" alone is a unix timestamp (1970), not an error: only the others fail.
        if (input == "10")
        {
            Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(10), TimeInput.Parse(input, Now));
            return;
        }
        Assert.Equal("unable to interpret time value", Assert.Throws<EngineException>(() => TimeInput.Parse(input, Now)).Message);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("300ms", 3_000_000)]
    [InlineData("2h45m", 99_000_000_000)]
    [InlineData("1us", 10)]
    public void Go_durations(string input, long ticks)
    {
        Assert.True(TimeInput.TryParseDuration(input, out var d));
        Assert.Equal(ticks, d.Ticks);
    }
}

public sealed class EventQueryTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 2, 1, 0, 0, TimeSpan.Zero);

    private static EngineEvent C(string status, string name, string id, int second, Dictionary<string, string>? labels = null)
        => new(EventTypes.Container, status, T.AddSeconds(second), id, name, "busybox:latest", labels ?? []);

    private static readonly EngineEvent[] Log =
    [
        C("create", "a", "aaa111", 1, new() { ["lab"] = "one" }),
        C("start", "a", "aaa111", 2, new() { ["lab"] = "one" }),
        C("create", "b", "bbb222", 3),
        C("start", "b", "bbb222", 4),
        new(EventTypes.Image, "pull", T.AddSeconds(5), "ccc333", "host/busybox"),
        C("died", "a", "aaa111", 6, new() { ["lab"] = "one" }),
    ];

    private static string[] Run(params string[] filters) => Run(filters, null, null);

    private static string[] Run(string[] filters, string? since, string? until)
        => [.. Log.Where(EventQuery.Parse(filters, since, until, stream: false, T.AddHours(1)).Matches).Select(e => $"{e.Name}:{e.Status}")];

    [Fact]
    public void One_key_ors_its_values_different_keys_and()
    {
        Assert.Equal(["a:start", "b:start", "a:died"], Run("event=start", "event=died"));
        Assert.Equal(["a:start"], Run("event=start", "container=a"));
        Assert.Equal(["a:start", "b:start"], Run("event=start", "container=a", "container=bbb"));
    }

    [Fact]
    public void Each_filter_matches_as_podmans()
    {
        Assert.Equal(["a:create", "a:start", "a:died"], Run("container=aaa"));
        Assert.Equal(["host/busybox:pull"], Run("image=host/busybox"));
        Assert.Equal(["host/busybox:pull"], Run("image=ccc"));
        Assert.Empty(Run("image=busybox:latest")); // image= is about image events, not the containers' images
        Assert.Equal(["host/busybox:pull"], Run("type=image"));
        Assert.Equal(["a:create", "a:start", "a:died"], Run("label=lab=one"));
        Assert.Equal(["a:create", "a:start", "a:died"], Run("label=lab"));
        Assert.Empty(Run("label=lab=two"));
        Assert.Empty(Run("status=bogus"));
    }

    [Fact]
    public void Since_and_until_bound_the_times_exclusively()
    {
        Assert.Equal(["b:start", "host/busybox:pull"], Run([], "2026-12-02T01:00:03Z", "2026-12-02T01:00:06Z"));
        Assert.Equal(["a:died"], Run([], "1796173205", null));
    }

    [Theory]
    [InlineData("bogus=1", "bogus is an invalid filter")]
    [InlineData("nokey", "nokey is an invalid filter")]
    [InlineData("type=bogus", "unknown event type \"bogus\"")]
    public void Bad_filters_are_podmans_errors(string filter, string message)
        => Assert.Equal(message, Assert.Throws<EngineException>(() => EventQuery.Parse([filter], null, null, false, T)).Message);

    [Fact]
    public void A_bad_time_names_the_flag()
        => Assert.Equal("unable to convert since time of nope: unable to interpret time value",
            Assert.Throws<EngineException>(() => EventQuery.Parse([], "nope", null, false, T)).Message);
}
