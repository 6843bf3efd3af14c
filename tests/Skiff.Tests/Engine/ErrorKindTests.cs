using Skiff.Engine;
using Skiff.Engine.Images;

namespace Skiff.Tests.Engine;

public class ErrorKindTests
{
    [Theory]
    [InlineData(ErrorKind.Failed, 125, 125)]
    [InlineData(ErrorKind.NoSuchObject, 125, 1)]
    [InlineData(ErrorKind.InUse, 125, 2)]
    [InlineData(ErrorKind.CannotInvoke, 126, 126)]
    [InlineData(ErrorKind.CommandNotFound, 127, 127)]
    public void Kinds_become_podmans_exit_codes(ErrorKind kind, int verbs, int removal)
    {
        Assert.Equal(verbs, ExitCodes.For(kind));
        Assert.Equal(removal, ExitCodes.ForRemoval(kind));
        Assert.Equal(verbs, new EngineException("x", kind).ExitCode);
    }

    [Theory]
    [InlineData(126, ErrorKind.CannotInvoke)]
    [InlineData(127, ErrorKind.CommandNotFound)]
    [InlineData(125, ErrorKind.Failed)]
    [InlineData(1, ErrorKind.Failed)]
    public void A_runtimes_exit_code_has_a_kind(int code, ErrorKind kind) => Assert.Equal(kind, ExitCodes.KindOf(code));

    [Fact]
    public void A_missing_container_is_podmans_sentence()
    {
        var e = EngineException.NoSuchContainer("web");
        Assert.Equal(("no container with name or ID \"web\" found: no such container", ErrorKind.NoSuchObject), (e.Message, e.Kind));
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("missing", "missing")]
    [InlineData("ALWAYS", "always")]
    [InlineData("true", "always")]
    [InlineData("false", "never")]
    [InlineData("never", "never")]
    [InlineData("newer", "newer")]
    public void Pull_policies_in_podmans_spellings(string? value, string policy) => Assert.Equal(policy, ImageService.PullPolicy(value));

    [Fact]
    public void An_unknown_pull_policy_is_named()
        => Assert.Contains("\"sometimes\"", Assert.Throws<EngineException>(() => ImageService.PullPolicy("sometimes")).Message, StringComparison.Ordinal);
}
