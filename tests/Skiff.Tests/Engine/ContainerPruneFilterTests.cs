using Skiff.Engine;
using Skiff.Engine.Containers;

namespace Skiff.Tests.Engine;

/// <summary>`container prune --filter`: podman's label=, label!= and until=, and its errors.</summary>
public sealed class ContainerPruneFilterTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static ContainerRecord C(DateTimeOffset created, params (string, string)[] labels)
        => new() { Created = created, Labels = labels.ToDictionary(l => l.Item1, l => l.Item2) };

    private static bool Matches(ContainerRecord c, params string[] filters) => ContainerPruneFilter.Parse(filters, Now).Matches(c);

    [Fact]
    public void Labels_by_key_by_value_and_negated()
    {
        var keep = C(Now, ("keep", "1"));
        var other = C(Now, ("keep", "2"));
        var none = C(Now);
        Assert.True(Matches(keep, "label=keep"));
        Assert.True(Matches(other, "label=keep"));
        Assert.False(Matches(none, "label=keep"));
        Assert.True(Matches(keep, "label=keep=1"));
        Assert.False(Matches(other, "label=keep=1"));
        Assert.False(Matches(keep, "label!=keep"));
        Assert.True(Matches(none, "label!=keep"));
        Assert.True(Matches(other, "label!=keep=1"));
        Assert.False(Matches(keep, "label=keep", "label!=keep=1"));
        Assert.True(Matches(none));
    }

    [Theory]
    [InlineData("1h", true, false)]
    [InlineData("10s", true, true)]
    [InlineData("2026-06-01T11:30:00Z", true, false)]
    [InlineData("2026-06-01", false, false)]
    [InlineData("1780311600", true, false)] // 2026-06-01T11:00:00Z in Unix seconds
    public void Until_is_created_before(string until, bool oldMatches, bool recentMatches)
    {
        Assert.Equal(oldMatches, Matches(C(Now.AddHours(-2)), "until=" + until));
        Assert.Equal(recentMatches, Matches(C(Now.AddMinutes(-1)), "until=" + until));
    }

    [Theory]
    [InlineData("bogus=1", "bogus is an invalid filter")]
    [InlineData("label", "filter input must be in the form of filter=value: label is invalid")]
    [InlineData("until=xyz", "failed to parse value as time or duration: \"xyz\"")]
    public void Bad_filters_are_podmans_errors(string filter, string message)
        => Assert.Equal(message, Assert.Throws<EngineException>(() => ContainerPruneFilter.Parse([filter], Now)).Message);

    [Theory]
    [InlineData("1h30m", 90 * 60)]
    [InlineData("1.5h", 90 * 60)]
    [InlineData("10s", 10)]
    [InlineData("0", 0)]
    [InlineData("-2m", -120)]
    public void Go_durations(string text, int seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), ContainerPruneFilter.GoDuration(text));

    [Theory]
    [InlineData("10")]
    [InlineData("h")]
    [InlineData("1x")]
    [InlineData("")]
    public void Not_durations(string text) => Assert.Null(ContainerPruneFilter.GoDuration(text));
}
