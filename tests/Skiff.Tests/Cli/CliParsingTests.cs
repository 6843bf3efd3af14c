using Skiff.Cli.Commands;
using Skiff.Cli.Output;

namespace Skiff.Tests.Cli;

public sealed class CliParsingTests
{
    [Theory]
    [InlineData("run --rm img sh -c x", "run --rm img -- sh -c x")]
    [InlineData("run -e A=1 -u 1000 img id -u", "run -e A=1 -u 1000 img -- id -u")]
    [InlineData("--root /r run --name n img", "--root /r run --name n img")]
    [InlineData("run img", "run img")]
    [InlineData("run img -- x", "run img -- -- x")]
    [InlineData("pull img", "pull img")]
    public void Run_protects_the_container_command(string input, string expected)
        => Assert.Equal(expected.Split(' '), RunCommand.ProtectContainerCommand(input.Split(' ')));

    [Fact]
    public void Table_pads_like_gos_tabwriter()
        => Assert.Equal("REPOSITORY  TAG         IMAGE ID\nlong/repository/name  latest      abc\n".Replace("REPOSITORY  ", "REPOSITORY            ", StringComparison.Ordinal),
            Table.Format([["REPOSITORY", "TAG", "IMAGE ID"], ["long/repository/name", "latest", "abc"]]));

    [Theory]
    [InlineData(2130000, "2.13 MB")]
    [InlineData(999, "999 B")]
    [InlineData(1000, "1 kB")]
    [InlineData(45600000000, "45.6 GB")]
    public void Sizes_are_worded_as_podman(double size, string expected) => Assert.Equal(expected, Units.HumanSize(size));

    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(30, "30 seconds")]
    [InlineData(90, "About a minute")]
    [InlineData(3600, "About an hour")]
    [InlineData(86400 * 3, "3 days")]
    [InlineData(86400 * 800, "2 years")]
    public void Durations_are_worded_as_podman(double seconds, string expected) => Assert.Equal(expected, Units.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Templates_render_fields_and_reject_unknown_ones()
    {
        Assert.Equal("a\tb", GoTemplate.Render("{{.X}}\\t{{ .Y }}", f => f == "X" ? "a" : f == "Y" ? "b" : null));
        Assert.Throws<FormatException>(() => GoTemplate.Render("{{.Nope}}", _ => null));
    }
}
