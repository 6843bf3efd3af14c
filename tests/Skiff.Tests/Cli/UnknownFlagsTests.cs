using Skiff.Cli;

namespace Skiff.Tests.Cli;

/// <summary>An unknown or unimplemented flag is an error naming it (podman's words, exit 125), never taken for an image or a name.</summary>
public sealed class UnknownFlagsTests
{
    [Theory]
    [InlineData("run -d -P busybox sleep 10", "unknown shorthand flag: 'P' in -P\nSee 'skiff run --help'")]
    [InlineData("run --bogus=1 busybox", "unknown flag: --bogus\nSee 'skiff run --help'")]
    [InlineData("run -itP busybox sh", "unknown shorthand flag: 'P' in -itP\nSee 'skiff run --help'")]
    [InlineData("rm -t 0 --all --force --ignore --depend --bogus", "unknown flag: --bogus\nSee 'skiff rm --help'")]
    [InlineData("create -d busybox", "unknown shorthand flag: 'd' in -d\nSee 'skiff create --help'")]
    [InlineData("container rm --bogus x", "unknown flag: --bogus\nSee 'skiff container rm --help'")]
    [InlineData("volume ls --bogus", "unknown flag: --bogus\nSee 'skiff volume ls --help'")]
    [InlineData("image inspect -l x", "unknown shorthand flag: 'l' in -l\nSee 'skiff image inspect --help'")]
    [InlineData("container prune --bogus", "unknown flag: --bogus\nSee 'skiff container prune --help'")]
    [InlineData("inspect --bogus x", "unknown flag: --bogus\nSee 'skiff inspect --help'")]
    [InlineData("--root /r ps -a --bogus", "unknown flag: --bogus\nSee 'skiff ps --help'")]
    [InlineData("--bogus ps", "unknown flag: --bogus\nSee 'skiff --help'")]
    public void Unknown_flags_are_named(string line, string expected) =>
        Assert.Equal(expected, UnknownFlags.Find(SkiffCli.BuildCommandLine(), line.Split(' ')));

    [Theory]
    [InlineData("run --rm -e A=1 -h host -u 0 --pids-limit -1 --tls-verify=false busybox ls -l --bogus")] // after the image: the container's
    [InlineData("--root /r --runtime runc run -i -m 64m busybox")]
    [InlineData("run --rm busybox -- -x")]
    [InlineData("ps -a")]
    [InlineData("run -dit --restart on-failure:3 busybox sh")]
    [InlineData("rm -t 0 --all --force --ignore")]
    [InlineData("container run -d busybox sleep 1 --bogus")]
    [InlineData("logs -f -n 3 --since 10m c1")]
    [InlineData("rmi --help")]
    [InlineData("nosuchverb --x")] // the parser names the unknown verb
    public void Known_flags_and_the_containers_own_pass(string line) =>
        Assert.Null(UnknownFlags.Find(SkiffCli.BuildCommandLine(), line.Split(' ')));
}

/// <summary>An unknown or missing verb gets podman's words (`podman bogus`, `podman image bogus`, `podman`), not the parser's.</summary>
public sealed class CommandErrorTests
{
    [Theory]
    [InlineData("bogus", "unrecognized command `skiff bogus`\nTry 'skiff --help' for more information")]
    [InlineData("--root /r bogus x", "unrecognized command `skiff bogus`\nTry 'skiff --help' for more information")]
    [InlineData("image bogus", "unrecognized command `skiff image bogus`\nTry 'skiff image --help' for more information")]
    [InlineData("container bogus", "unrecognized command `skiff container bogus`\nTry 'skiff container --help' for more information")]
    [InlineData("", "missing command 'skiff COMMAND'")]
    public void Wrong_verbs_are_named(string line, string expected)
    {
        var parse = SkiffCli.BuildCommandLine().Parse(line.Length == 0 ? [] : line.Split(' '));
        Assert.NotEmpty(parse.Errors);
        Assert.Equal(expected, SkiffCli.CommandError(parse));
    }

    [Theory]
    [InlineData("run")]
    [InlineData("--root")] // the option's value is missing, not the verb
    public void Other_parse_errors_keep_their_own_words(string line) =>
        Assert.Null(SkiffCli.CommandError(SkiffCli.BuildCommandLine().Parse(line.Split(' '))));
}
