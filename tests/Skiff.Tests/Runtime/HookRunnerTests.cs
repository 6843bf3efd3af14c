using System.Text.Json;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Hooks;
using Skiff.Tests.Interop;

namespace Skiff.Tests.Runtime;

/// <summary>Hooks as runtime-spec config.md#posix-platform-hooks describes them, run for real (no root needed).</summary>
[Collection(ProcessSpawningCollection.Name)]
public sealed class HookRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-hooks-").FullName;
    private readonly StringWriter _stderr = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Oci.Runtime.State State = new()
    {
        Id = "c1",
        Status = "created",
        Pid = 4242,
        Bundle = "/b",
        Annotations = new() { ["k"] = "v" },
    };

    private static Hook Sh(string script, int? timeout = null, List<string>? env = null) =>
        new() { Path = "/bin/sh", Args = ["sh", "-c", script], Timeout = timeout, Env = env };

    private string F(string name) => Path.Combine(_dir, name);

    private RuntimeLog Log() => new(_stderr);

    [Fact]
    public void HooksRunInOrderWithTheStateOnStdin()
    {
        var hooks = Enumerable.Range(1, 3).Select(i => Sh($"cat > {F($"stdin{i}")}; echo {i} >> {F("order")}")).ToList();
        HookRunner.Run(HookRunner.Prestart, hooks, State, failuresAreWarnings: false, Log());
        Assert.Equal("1\n2\n3\n", File.ReadAllText(F("order")));
        using var doc = JsonDocument.Parse(File.ReadAllText(F("stdin2")));
        var root = doc.RootElement;
        Assert.Equal(("c1", "created", 4242, "/b", "v"), (root.GetProperty("id").GetString(), root.GetProperty("status").GetString(),
            root.GetProperty("pid").GetInt32(), root.GetProperty("bundle").GetString(), root.GetProperty("annotations").GetProperty("k").GetString()));
        Assert.Equal("1.2.0", root.GetProperty("ociVersion").GetString());
    }

    [Fact]
    public void ArgsZeroIsArgvZero()
    {
        // busybox picks its applet by argv[0]: "echo" only if args[0] reaches the program as argv[0].
        var result = HookRunner.Execute(new Hook { Path = "/bin/busybox", Args = ["echo", "hello", "world"] }, []);
        Assert.Equal((0, "hello world\n"), (result.ExitCode, result.Stdout));
        File.WriteAllText(F("count.sh"), "#!/bin/sh\necho \"$#\"\n");
        File.SetUnixFileMode(F("count.sh"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Assert.Equal("0\n", HookRunner.Execute(new Hook { Path = F("count.sh") }, []).Stdout); // no args: argv is [path]
    }

    [Fact]
    public void TheHookGetsExactlyItsEnvironment()
    {
        var result = HookRunner.Execute(new Hook { Path = "/usr/bin/env", Args = ["env"], Env = ["A=1", "B=two words"] }, []);
        Assert.Equal(["A=1", "B=two words"], result.Stdout.TrimEnd('\n').Split('\n'));
        // Without env the runtime's own environment is passed on, as runc does.
        var inherited = HookRunner.Execute(new Hook { Path = "/usr/bin/env", Args = ["env"] }, []);
        Assert.Contains($"PATH={Environment.GetEnvironmentVariable("PATH")}", inherited.Stdout.Split('\n'));
    }

    [Fact]
    public void AFailingHookIsAnErrorNamingKindPathAndStatus()
    {
        var hooks = new List<Hook> { Sh("echo on stdout; echo 'it went\nwrong' >&2; exit 3"), Sh($"touch {F("after")}") };
        var e = Assert.Throws<RuntimeException>(() => HookRunner.Run(HookRunner.CreateRuntime, hooks, State, false, Log()));
        Assert.Equal("createRuntime hook /bin/sh failed with exit status 3 (stderr: it went; wrong)", e.Message);
        Assert.False(File.Exists(F("after")), "a hook after the failed one ran");
    }

    [Fact]
    public void AKilledHookIsAnError()
    {
        var e = Assert.Throws<RuntimeException>(() => HookRunner.Run(HookRunner.CreateContainer, [Sh("kill -9 $$")], State, false, null));
        Assert.Equal("createContainer hook /bin/sh was killed by signal 9", e.Message);
    }

    [Fact]
    public void AHookThatCannotBeStartedIsAnError()
    {
        var e = Assert.Throws<RuntimeException>(() => HookRunner.Run(HookRunner.StartContainer, [new Hook { Path = F("missing") }], State, false, null));
        Assert.Equal($"startContainer hook {F("missing")} could not be started: No such file or directory", e.Message);
    }

    [Fact]
    public void AHookPastItsTimeoutIsKilledWithWhatItStarted()
    {
        var hook = Sh($"sleep 1000 & echo $! > {F("child")}; echo $$ > {F("hook")}; wait", timeout: 1);
        var e = Assert.Throws<RuntimeException>(() => HookRunner.Run(HookRunner.Prestart, [hook], State, false, Log()));
        Assert.Equal("prestart hook /bin/sh did not finish within its timeout of 1 s and was killed", e.Message);
        foreach (string pidFile in new[] { "hook", "child" })
        {
            int pid = int.Parse(File.ReadAllText(F(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(WaitGone(pid), $"the {pidFile} process {pid} is still alive");
        }
    }

    /// <summary>Whether <paramref name="pid"/> is gone or a zombie within 10 s (killed processes take a moment to exit).</summary>
    private static bool WaitGone(int pid)
    {
        for (int i = 0; i < 200; i++)
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (IOException) { return true; }
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return true;
            Thread.Sleep(50);
        }
        return false;
    }

    [Theory]
    [InlineData(HookRunner.Poststart)]
    [InlineData(HookRunner.Poststop)]
    public void PoststartAndPoststopFailuresAreWarningsAndTheRestRuns(string kind)
    {
        var hooks = new Oci.Runtime.Hooks();
        var list = new List<Hook> { Sh("exit 5"), Sh($"touch {F("second")}") };
        if (kind == HookRunner.Poststart) hooks.Poststart = list;
        else hooks.Poststop = list;
        HookRunner.RunStage(kind, hooks, State, Log());
        Assert.True(File.Exists(F("second")));
        Assert.Equal($"skiff-runtime: warning: {kind} hook /bin/sh failed with exit status 5\n", _stderr.ToString());
    }

    [Theory]
    [InlineData(HookRunner.Prestart)]
    [InlineData(HookRunner.CreateRuntime)]
    [InlineData(HookRunner.CreateContainer)]
    [InlineData(HookRunner.StartContainer)]
    public void OtherKindsFailTheOperation(string kind)
    {
        var hooks = new Oci.Runtime.Hooks
        {
            Prestart = [Sh("exit 1")], CreateRuntime = [Sh("exit 1")], CreateContainer = [Sh("exit 1")], StartContainer = [Sh("exit 1")],
        };
        Assert.False(HookRunner.FailuresAreWarnings(kind));
        var e = Assert.Throws<RuntimeException>(() => HookRunner.RunStage(kind, hooks, State, Log()));
        Assert.StartsWith($"{kind} hook /bin/sh failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHookInheritsNoDescriptorOfTheRuntime()
    {
        string marker = F("marker");
        File.WriteAllText(marker, "secret");
        int leaked = Libc.Open(marker, Libc.O_RDONLY); // deliberately without O_CLOEXEC
        Assert.True(leaked > 2);
        try
        {
            var result = HookRunner.Execute(new Hook { Path = "/bin/ls", Args = ["ls", "-l", "/proc/self/fd"] }, "{}"u8.ToArray());
            Assert.Equal(0, result.ExitCode);
            var fds = result.Stdout.Split('\n').Where(l => l.Contains(" -> ", StringComparison.Ordinal))
                .Select(l => l[(l.LastIndexOf(' ', l.IndexOf(" -> ", StringComparison.Ordinal) - 1) + 1)..]).ToList();
            Assert.DoesNotContain(fds, l => l.Contains(marker, StringComparison.Ordinal));
            // 0, 1, 2 are the hook's pipes; 3 is ls's own handle on the directory it lists.
            Assert.Equal(["0", "1", "2", "3"], fds.Select(l => l.Split(' ')[0]).Order(StringComparer.Ordinal));
            Assert.All(fds.Take(3), l => Assert.Contains("pipe:", l, StringComparison.Ordinal));
        }
        finally { Libc.Close(leaked); }
    }

    [Fact]
    public void AStateLargerThanAPipeIsFedWhole()
    {
        var big = new Oci.Runtime.State { Id = "big", Status = "created", Annotations = new() { ["blob"] = new string('x', 300_000) } };
        HookRunner.Run(HookRunner.Prestart, [Sh($"wc -c > {F("count")}")], big, false, null);
        int expected = JsonSerializer.SerializeToUtf8Bytes(big, new RuntimeJsonContext(new JsonSerializerOptions
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        }).State).Length;
        Assert.Equal(expected, int.Parse(File.ReadAllText(F("count")).Trim(), System.Globalization.CultureInfo.InvariantCulture));
        // A hook that never reads its stdin is not a failure.
        HookRunner.Run(HookRunner.Prestart, [Sh("exit 0")], big, false, null);
    }

    [Fact]
    public void ValidateRefusesRelativePathsAndTimeoutsBelowOne()
    {
        Assert.Equal("poststop hook path \"bin/hook\" is not absolute",
            Assert.Throws<RuntimeException>(() => HookRunner.Validate(new Oci.Runtime.Hooks { Poststop = [new Hook { Path = "bin/hook" }] })).Message);
        Assert.Equal("prestart hook /bin/true: timeout must be greater than zero (got 0)",
            Assert.Throws<RuntimeException>(() => HookRunner.Validate(new Oci.Runtime.Hooks { Prestart = [new Hook { Path = "/bin/true", Timeout = 0 }] })).Message);
        HookRunner.Validate(new Oci.Runtime.Hooks { CreateRuntime = [new Hook { Path = "/bin/true", Timeout = 5 }] });
        HookRunner.Validate(null);
    }
}
