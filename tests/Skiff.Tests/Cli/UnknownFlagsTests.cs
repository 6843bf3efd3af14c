using Skiff.Cli;

namespace Skiff.Tests.Cli;

/// <summary>An unknown or unimplemented flag is an error naming it (podman's words, exit 125), never taken for an image or a name.</summary>
public sealed class UnknownFlagsTests
{
    [Theory]
    [InlineData("run -d busybox sleep 10", "unknown flag: -d\nSee 'skiff run --help'")]
    [InlineData("run --bogus=1 busybox", "unknown flag: --bogus\nSee 'skiff run --help'")]
    [InlineData("run -it busybox sh", "unknown shorthand flag: 't' in -it\nSee 'skiff run --help'")]
    [InlineData("rm -t 0 --all --force --ignore", "unknown flag: -t\nSee 'skiff rm --help'")]
    [InlineData("--root /r ps -a --bogus", "unknown flag: --bogus\nSee 'skiff ps --help'")]
    [InlineData("--bogus ps", "unknown flag: --bogus\nSee 'skiff --help'")]
    public void Unknown_flags_are_named(string line, string expected) =>
        Assert.Equal(expected, UnknownFlags.Find(SkiffCli.BuildCommandLine(), line.Split(' ')));

    [Theory]
    [InlineData("run --rm -e A=1 -h host -u 0 --pids-limit -1 --tls-verify=false busybox ls -l --bogus")] // after the image: the container's
    [InlineData("--root /r --runtime runc run -i -m 64m busybox")]
    [InlineData("run --rm busybox -- -x")]
    [InlineData("ps -a")]
    [InlineData("rmi --help")]
    [InlineData("nosuchverb --x")] // the parser names the unknown verb
    public void Known_flags_and_the_containers_own_pass(string line) =>
        Assert.Null(UnknownFlags.Find(SkiffCli.BuildCommandLine(), line.Split(' ')));
}
