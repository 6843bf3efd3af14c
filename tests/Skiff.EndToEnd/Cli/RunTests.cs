using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>`skiff run` as root against the real registry, kernel and runtime.</summary>
[Collection(SkiffCollection.Name)]
public sealed class RunTests(SkiffEnvironment env)
{
    private CommandResult Run(params string[] args)
    {
        var all = new List<string> { "run", "--rm", "--tls-verify=false" };
        all.AddRange(args);
        return env.Skiff([.. all]);
    }

    [RootFact]
    public void Echo_prints_hello()
    {
        var r = Run(env.Busybox, "echo", "hello");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("hello\n", r.Stdout);
    }

    [RootFact]
    public void Exit_code_of_the_container_is_skiffs()
    {
        var r = Run(env.Busybox, "sh", "-c", "exit 7");
        Assert.True(r.ExitCode == 7, r.ToString());
    }

    [RootFact]
    public void Env_workdir_and_user_flags_apply()
    {
        var r = Run("-e", "FOO=bar", "-w", "/tmp", "-u", "1000", env.Busybox, "sh", "-c", "echo $FOO; pwd; id -u");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("bar\n/tmp\n1000\n", r.Stdout);
    }

    [RootFact]
    public void A_named_workdir_the_image_lacks_cannot_be_invoked()
    {
        var r = Run("-w", "/no/such/dir", env.Busybox, "pwd");
        Assert.Equal(126, r.ExitCode);
        Assert.Contains("workdir \"/no/such/dir\" does not exist", r.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void Env_file_and_host_env_are_read()
    {
        string file = Path.Combine(env.Work, "envfile");
        File.WriteAllText(file, "# comment\nA=from-file\nB=also\n");
        var r = Run("--env-file", file, "-e", "B=flag", env.Busybox, "sh", "-c", "echo $A $B $container");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("from-file flag skiff\n", r.Stdout);
    }

    [RootFact]
    public void Container_is_pid_1_with_its_own_hostname_and_processes()
    {
        var r = Run("--hostname", "boat", env.Busybox, "sh", "-c", "echo $$; hostname; ls /proc | grep '^[0-9]' | wc -l");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1", lines[0]);
        Assert.Equal("boat", lines[1]);
        // sh (pid 1), ls and grep/wc: a handful, never the host's hundreds.
        Assert.InRange(int.Parse(lines[2], System.Globalization.CultureInfo.InvariantCulture), 1, 5);
    }

    [RootFact]
    public void Container_starts_with_no_signal_ignored_or_blocked()
    {
        // .NET ignores SIGPIPE; inherited through exec, `yes | head -1` would report a broken pipe.
        var r = Run(env.Busybox, "sh", "-c", "grep -E '^Sig(Ign|Blk)' /proc/self/status; yes | head -1");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\ny\n", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [RootFact]
    public void Default_hostname_is_the_short_container_id()
    {
        var r = Run(env.Busybox, "hostname");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches("^[0-9a-f]{12}\n$", r.Stdout);
    }

    [RootFact]
    public void Entrypoint_replaces_the_image_command()
    {
        var r = Run("--entrypoint", "echo", env.Busybox, "from", "entrypoint");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("from entrypoint\n", r.Stdout);
    }

    [RootFact]
    public void Stdin_passes_through_with_i()
    {
        var all = new List<string> { "--root", Path.Combine(env.Work, "rootful", "root"), "--runroot", Path.Combine(env.Work, "rootful", "run"),
            "run", "--rm", "-i", "--tls-verify=false", env.Busybox, "cat" };
        var r = Command.Run(env.SkiffPath, all, stdin: "through the pipe\n");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("through the pipe\n", r.Stdout);
    }

    [RootFact]
    public void Missing_command_exits_127()
    {
        var r = Run(env.Busybox, "no-such-command");
        Assert.Equal(127, r.ExitCode);
        Assert.Contains("no-such-command", r.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void Non_executable_command_exits_126()
    {
        var r = Run(env.Busybox, "/etc/passwd");
        Assert.Equal(126, r.ExitCode);
    }

    [RootFact]
    public void Runc_can_stand_in_for_our_runtime()
    {
        var hi = env.Skiff("--runtime", "runc", "run", "--rm", "--tls-verify=false", env.Busybox, "sh", "-c", "echo $$ hi; exit 5");
        Assert.True(hi.ExitCode == 5, hi.ToString());
        Assert.Equal("1 hi\n", hi.Stdout);
        Assert.Equal(127, env.Skiff("--runtime", "runc", "run", "--rm", env.Busybox, "no-such-command").ExitCode);
    }

    [RootFact]
    public void Unknown_flag_is_an_engine_error()
    {
        var r = env.Skiff("run", "--bogus", env.Busybox, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.StartsWith("Error: ", r.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public void Name_is_unique_while_the_container_exists()
    {
        string name = "named-" + Guid.NewGuid().ToString("N")[..8];
        var first = env.Skiff("run", "--name", name, "--tls-verify=false", env.Busybox, "true");
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = env.Skiff("run", "--rm", "--name", name, "--tls-verify=false", env.Busybox, "true");
        Assert.Equal(125, second.ExitCode);
        Assert.Contains("already in use", second.Stderr, StringComparison.Ordinal);

        var ps = env.Skiff("ps", "-a", "--format", "{{.Names}} {{.Status}}");
        Assert.Contains($"{name} Exited (0)", ps.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(name, env.Skiff("ps").Stdout, StringComparison.Ordinal);

        var rm = env.Skiff("rm", name);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Matches("^[0-9a-f]{64}\n$", rm.Stdout);
        Assert.Equal(1, env.Skiff("rm", name).ExitCode);
        var third = env.Skiff("run", "--rm", "--name", name, "--tls-verify=false", env.Busybox, "true");
        Assert.True(third.ExitCode == 0, third.ToString());
    }

    [RootFact]
    public void Sigterm_to_skiff_reaches_the_container()
    {
        var psi = new System.Diagnostics.ProcessStartInfo(env.SkiffPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--root", Path.Combine(env.Work, "rootful", "root"), "--runroot", Path.Combine(env.Work, "rootful", "run"),
            "run", "--rm", "--tls-verify=false", env.Busybox, "sh", "-c", "trap 'echo got-term; exit 3' TERM; echo ready; while :; do sleep 0.1; done" })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Command.Must("kill", "-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "skiff did not exit after SIGTERM");
        Assert.Equal("got-term", p.StandardOutput.ReadLine());
        Assert.Equal(3, p.ExitCode);
    }
}
