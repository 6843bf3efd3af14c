using System.Text.Json.Nodes;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Runtime;

/// <summary>process.terminal: a pty in the container's devpts, its master sent to --console-socket (SCM_RIGHTS).</summary>
public class TerminalTests
{
    [Fact]
    public async Task A_terminal_container_gets_a_pty_of_the_configured_size()
    {
        using var b = new TestBundle("sh", "-c", "tty; test -t 0 && test -t 1 && echo stdio-is-a-tty; stty size; echo done");
        b.Process["terminal"] = true;
        b.Process["consoleSize"] = new JsonObject { ["height"] = 24, ["width"] = 91 };
        using var console = new ConsoleReceiver(b.Dir);
        var run = b.Runtime("run", "--bundle", b.Dir, "--console-socket", console.Path, "t1");
        console.StartReading();
        var r = await run;
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("/dev/pts/0\nstdio-is-a-tty\n24 91\ndone\n", console.Output());
    }

    [Fact]
    public async Task A_terminal_without_a_console_socket_is_refused()
    {
        using var b = new TestBundle("true");
        b.Process["terminal"] = true;
        var r = await b.Runtime("create", "--bundle", b.Dir, "t2");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("skiff-runtime: process.terminal is true: give --console-socket to receive the terminal\n", r.Stderr);
    }

    [RequiresProgramsFact("script")]
    public async Task Run_in_the_foreground_without_a_console_socket_joins_the_terminal_to_its_own()
    {
        using var b = new TestBundle("sh", "-c", "tty; stty size; test -t 0 && echo interactive; exit 3");
        b.Process["terminal"] = true;
        b.Save();
        // Under `script`, the runtime's stdin is a terminal of 21 rows and 77 columns: the container's gets its size.
        string line = $"stty cols 77 rows 21; '{RuntimeBinary.Path}' --root '{b.StateRoot}' run --bundle '{b.Dir}' t4; echo exit=$?";
        var r = await Runner.RunAsync("script", ["-qec", line, "/dev/null"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        // "^@": the echo of a NUL that script sends when its own stdin (here /dev/null) ends.
        string output = r.Stdout.Replace("\r", "", StringComparison.Ordinal).Replace("^@", "", StringComparison.Ordinal);
        // (script's own terminal set-up and the runtime's warnings share that terminal: look for the lines, not the whole.)
        Assert.Contains("/dev/pts/0\n21 77\ninteractive\nexit=3\n", output, StringComparison.Ordinal);
        var detached = await b.Runtime("run", "--detach", "--bundle", b.Dir, "t5");
        Assert.Equal(1, detached.ExitCode);
        Assert.Contains("give --console-socket", detached.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_with_a_tty()
    {
        using var b = new TestBundle("sleep", "60");
        Assert.Equal(0, (await b.Runtime("run", "--bundle", b.Dir, "--detach", "t3")).ExitCode);
        using var console = new ConsoleReceiver(b.Dir);
        var exec = b.Runtime("exec", "--tty", "--console-socket", console.Path, "t3", "sh", "-c", "tty; test -t 0 && echo tty-stdin");
        console.StartReading();
        var r = await exec;
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("/dev/pts/0\ntty-stdin\n", console.Output());
        await b.Runtime("delete", "--force", "t3");
    }
}
