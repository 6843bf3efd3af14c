using System.Text;
using Skiff.Engine;
using Skiff.Engine.Lifecycle;

namespace Skiff.Tests.Engine.Lifecycle;

public class DetachKeysTests
{
    [Theory]
    [InlineData(null, new byte[] { 16, 17 })]
    [InlineData("ctrl-p,ctrl-q", new byte[] { 16, 17 })]
    [InlineData("a", new byte[] { (byte)'a' })]
    [InlineData("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", new byte[] { 0, 27, 28, 29, 30, 31 })]
    [InlineData("ctrl-a,x", new byte[] { 1, (byte)'x' })]
    [InlineData("", new byte[0])]
    public void Parses_podmans_syntax(string? spec, byte[] expected) => Assert.Equal(expected, DetachKeys.Parse(spec).Keys.ToArray());

    [Theory]
    [InlineData("ctrl-1")]
    [InlineData("ctrl-")]
    [InlineData("ab")]
    [InlineData("ctrl-p,")]
    [InlineData("é")]
    public void Rejects_what_is_not_a_key(string spec)
    {
        var e = Assert.Throws<EngineException>(() => DetachKeys.Parse(spec));
        Assert.StartsWith($"invalid detach keys \"{spec}\"", e.Message, StringComparison.Ordinal);
        Assert.Equal(125, e.ExitCode);
    }

    private static (string Passed, bool Detached) Feed(DetachKeys keys, params string[] chunks)
    {
        var output = new List<byte>();
        foreach (string chunk in chunks)
            if (keys.Filter(Encoding.Latin1.GetBytes(chunk), output)) return (Encoding.Latin1.GetString([.. output]), true);
        return (Encoding.Latin1.GetString([.. output]), false);
    }

    [Fact]
    public void The_sequence_detaches_and_never_reaches_the_container()
    {
        Assert.Equal(("ls\n", true), Feed(DetachKeys.Parse(null), "ls\n\x10\x11" + "after"));
        // Split across reads.
        Assert.Equal(("ab", true), Feed(DetachKeys.Parse(null), "ab\x10", "\x11"));
    }

    [Fact]
    public void A_partial_sequence_is_passed_on_once_it_cannot_complete()
    {
        Assert.Equal(("\x10x", false), Feed(DetachKeys.Parse(null), "\x10", "x"));
        // ctrl-p ctrl-p ctrl-q: the first ctrl-p goes on, the last two detach.
        Assert.Equal(("\x10", true), Feed(DetachKeys.Parse(null), "\x10\x10\x11"));
        // "a a b" of "a,b,c": the first a goes on, "a b" waits for a c.
        Assert.Equal(("a", false), Feed(DetachKeys.Parse("a,b,c"), "aab"));
        Assert.Equal(("aabx", false), Feed(DetachKeys.Parse("a,b,c"), "aab", "x"));
        // A sequence that overlaps itself: "a a a b" of "a,a,b" detaches after passing on one a.
        Assert.Equal(("a", true), Feed(DetachKeys.Parse("a,a,b"), "aaab"));
    }

    [Fact]
    public void Empty_keys_pass_everything()
        => Assert.Equal(("\x10\x11", false), Feed(DetachKeys.Parse(""), "\x10\x11"));
}
