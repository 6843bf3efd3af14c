using Skiff.Runtime;
using Skiff.Runtime.Cli;
using Skiff.Runtime.Options;

namespace Skiff.Tests.Runtime;

/// <summary>skiff-runtime's command line: runc's verbs and flags with Go's flag syntax.</summary>
public class RuntimeCommandLineTests
{
    private static CommandLine Parse(params string[] args) => CommandLine.Parse(args);

    private static string Fails(params string[] args) => Assert.Throws<RuntimeException>(() => Bind(Parse(args))).Message;

    /// <summary>Parses and binds to the verb's options, as the dispatcher does.</summary>
    private static object Bind(CommandLine line)
    {
        var p = line.Parsed!;
        return line.Verb switch
        {
            "create" => OptionBinding.Create(p),
            "run" => OptionBinding.Run(p),
            "start" => OptionBinding.Start(p),
            "state" => OptionBinding.State(p),
            "kill" => OptionBinding.Kill(p),
            "delete" => OptionBinding.Delete(p),
            "exec" => OptionBinding.Exec(p),
            "pause" => OptionBinding.Pause(p),
            "resume" => OptionBinding.Resume(p),
            "ps" => OptionBinding.Ps(p),
            "events" => OptionBinding.Events(p),
            "update" => OptionBinding.Update(p),
            "list" => OptionBinding.List(p),
            "spec" => OptionBinding.Spec(p),
            _ => p,
        };
    }

    private static T Bind<T>(params string[] args) => Assert.IsType<T>(Bind(Parse(args)));

    // ---- every flag of every verb, long and short, both value syntaxes ----

    public static TheoryData<string, string> EveryFlag()
    {
        var data = new TheoryData<string, string>();
        foreach (var verb in VerbTable.Verbs.Where(v => v.NotSupported is null))
            foreach (var flag in verb.Flags.Where(f => f.Support != FlagSupport.NotSupported))
                data.Add(verb.Name, flag.Name);
        return data;
    }

    private static string[] Operands(VerbSpec verb) => Enumerable.Range(0, verb.MinOperands).Select(i => i == 0 ? "c1" : "x").ToArray();

    [Theory]
    [MemberData(nameof(EveryFlag))]
    public void EveryFlagParsesInEachSpelling(string verbName, string flagName)
    {
        var verb = VerbTable.Find(verbName)!;
        var flag = verb.Find(flagName)!;
        var names = new List<string> { "--" + flag.Name, "-" + flag.Name };
        if (flag.Short is { } s) names.AddRange(["-" + s, "--" + s]);
        foreach (string name in names)
        {
            var spellings = flag.Kind == FlagKind.Switch
                ? new[] { new[] { name }, new[] { name + "=true" }, new[] { name + "=1" } }
                : new[] { new[] { name, "v1" }, new[] { name + "=v1" } };
            foreach (var spelling in spellings)
            {
                var line = Parse([verbName, .. spelling, .. Operands(verb)]);
                Assert.Equal(verbName, line.Verb);
                Assert.Equal(flag.Kind == FlagKind.Switch ? "true" : "v1", line.Parsed!.Value(flag.Name));
                Assert.Equal(Operands(verb), line.Parsed.Operands);
            }
        }
    }

    [Fact]
    public void TheVerbsAndFlagsAreRuncs()
    {
        // runc 1.1's `runc VERB --help`, flag names only.
        var expected = new Dictionary<string, string[]>
        {
            ["create"] = ["bundle", "console-socket", "pid-file", "no-pivot", "no-new-keyring", "preserve-fds"],
            ["run"] = ["bundle", "console-socket", "detach", "keep", "pid-file", "no-subreaper", "no-pivot", "no-new-keyring", "preserve-fds"],
            ["exec"] = ["console-socket", "cwd", "env", "tty", "user", "additional-gids", "process", "detach", "pid-file", "process-label",
                "apparmor", "no-new-privs", "cap", "preserve-fds", "cgroup", "ignore-paused"],
            ["kill"] = ["all"], ["delete"] = ["force"], ["start"] = [], ["state"] = [], ["pause"] = [], ["resume"] = [],
            ["ps"] = ["format"], ["list"] = ["format", "quiet"], ["spec"] = ["bundle", "rootless"], ["events"] = ["interval", "stats"],
            ["update"] = ["resources", "blkio-weight", "cpu-period", "cpu-quota", "cpu-share", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus",
                "cpuset-mems", "memory", "memory-reservation", "memory-swap", "pids-limit", "l3-cache-schema", "mem-bw-schema"],
            ["features"] = [],
        };
        foreach (var (verb, flags) in expected)
            Assert.Equal(flags.Order(), VerbTable.Find(verb)!.Flags.Select(f => f.Name).Order());
        var shorts = VerbTable.Verbs.SelectMany(v => v.Flags.Where(f => f.Short is not null).Select(f => $"{v.Name} -{f.Short} --{f.Name}")).ToHashSet();
        foreach (string s in new[] { "create -b --bundle", "run -b --bundle", "run -d --detach", "kill -a --all", "delete -f --force", "exec -e --env",
            "exec -t --tty", "exec -u --user", "exec -g --additional-gids", "exec -p --process", "exec -d --detach", "exec -c --cap",
            "ps -f --format", "list -f --format", "list -q --quiet", "spec -b --bundle", "update -r --resources" })
            Assert.Contains(s, shorts);
        Assert.Equal(["criu", "debug", "help", "log", "log-format", "root", "rootless", "systemd-cgroup", "version"], VerbTable.Global.Select(f => f.Name).Order());
    }

    // ---- unknown flags ----

    [Theory]
    [InlineData("delete", "--bogus", "c1")]
    [InlineData("delete", "c1", "--bogus")]
    [InlineData("create", "-x", "c1")]
    [InlineData("kill", "c1", "KILL", "--everything")]
    [InlineData("list", "--all")]
    [InlineData("start", "--force", "c1")]
    [InlineData("exec", "--privileged", "c1", "sh")]
    public void AnUnknownFlagIsAnErrorNamingItAndTheVerb(params string[] args)
    {
        string bad = args.First(a => a.StartsWith('-') && a is not "KILL");
        string message = Fails(args);
        Assert.Contains("flag provided but not defined", message, StringComparison.Ordinal);
        Assert.Contains(bad, message, StringComparison.Ordinal);
        Assert.StartsWith(args[0] + ":", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownGlobalFlagIsAnError()
    {
        string message = Fails("--bogus", "list");
        Assert.Contains("flag provided but not defined: --bogus", message, StringComparison.Ordinal);
        Assert.Contains("a command's flag goes after the command", Fails("--force", "delete", "c1"), StringComparison.Ordinal);
    }

    [Fact]
    public void AGlobalFlagAfterTheVerbSaysWhereItGoes()
    {
        string message = Fails("create", "--root", "/x", "c1");
        Assert.Contains("--root is a global flag", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownVerbIsAnError() =>
        Assert.Contains("unknown command \"frob\"", Fails("frob"), StringComparison.Ordinal);

    [Theory]
    [InlineData("---bundle")]
    [InlineData("-=x")]
    [InlineData("--=x")]
    public void BadFlagSyntaxIsAnError(string flag) =>
        Assert.Contains("bad flag syntax", Fails("create", flag, "c1"), StringComparison.Ordinal);

    [Fact]
    public void AValueFlagAtTheEndNeedsItsValue() =>
        Assert.Contains("flag needs an argument: --pid-file", Fails("create", "c1", "--pid-file"), StringComparison.Ordinal);

    // ---- Go's bool syntax ----

    [Theory]
    [InlineData("--detach", true)]
    [InlineData("--detach=true", true)]
    [InlineData("--detach=false", false)]
    [InlineData("-d=0", false)]
    [InlineData("-d=1", true)]
    [InlineData("-d=t", true)]
    [InlineData("-d=F", false)]
    [InlineData("--detach=TRUE", true)]
    [InlineData("--detach=False", false)]
    public void SwitchesTakeGoBoolValues(string flag, bool expected) =>
        Assert.Equal(expected, Bind<RunOptions>("run", flag, "c1").Detach);

    [Fact]
    public void ASwitchNeverTakesTheNextArgument()
    {
        // "--detach false" is the switch and an operand "false" (Go's flag package), so run has two operands.
        Assert.Contains("takes exactly 1 argument", Fails("run", "--detach", "false", "c1"), StringComparison.Ordinal);
        Assert.Contains("invalid boolean value \"yes\" for --detach", Fails("run", "--detach=yes", "c1"), StringComparison.Ordinal);
    }

    [Fact]
    public void AValueFlagTakesTheNextArgumentWhateverItLooksLike()
    {
        var o = Bind<UpdateOptions>("update", "--memory-swap", "-1", "--memory", "512m", "c1");
        Assert.Equal(-1, o.Resources.Memory!.Swap);
        Assert.Equal(512L << 20, o.Resources.Memory.Limit);
        Assert.Equal("-weird", Bind<CreateOptions>("create", "--pid-file", "-weird", "c1").PidFile);
    }

    [Fact]
    public void TheLastValueWinsAndListsKeepEveryValue()
    {
        Assert.Equal("b2", Bind<CreateOptions>("create", "-b", "b1", "--bundle=b2", "c1").Bundle);
        var exec = Bind<ExecOptions>("exec", "-e", "A=1", "--env", "B=2", "--env=C=3", "-g", "10", "-g", "20", "c1", "sh");
        Assert.Equal(["A=1", "B=2", "C=3"], exec.Env);
        Assert.Equal([10u, 20u], exec.AdditionalGids);
    }

    // ---- operands and "--" ----

    [Fact]
    public void FlagsMayFollowTheOperandsAsUrfaveReordersThem()
    {
        var o = Bind<DeleteOptions>("delete", "c1", "--force");
        Assert.Equal(("c1", true), (o.Id, o.Force));
        var k = Bind<KillOptions>("kill", "c1", "KILL", "-a");
        Assert.Equal(("c1", 9, true), (k.Id, k.Signal, k.All));
    }

    [Fact]
    public void DoubleDashEndsTheFlags()
    {
        Assert.Equal("-odd-id", Bind<DeleteOptions>("delete", "--force", "--", "-odd-id").Id);
        Assert.Contains("takes exactly 1 argument", Fails("delete", "--", "c1", "--force"), StringComparison.Ordinal);
    }

    [Fact]
    public void ExecTakesEverythingAfterTheIdAsTheCommand()
    {
        var e = Bind<ExecOptions>("exec", "-t", "--cwd", "/tmp", "c1", "ls", "-l", "--color", "-t");
        Assert.Equal("c1", e.Id);
        Assert.Equal(["ls", "-l", "--color", "-t"], e.Args);
        Assert.True(e.Tty);
        Assert.Equal("/tmp", e.Cwd);
        Assert.Equal(["sh", "-c", "x"], Bind<ExecOptions>("exec", "c1", "--", "sh", "-c", "x").Args);
        Assert.Equal(["--", "x"], Bind<ExecOptions>("exec", "--", "c1", "--", "--", "x").Args);
        Assert.Contains("no command given", Fails("exec", "c1"), StringComparison.Ordinal);
        Assert.Empty(Bind<ExecOptions>("exec", "-p", "/p.json", "c1").Args);
    }

    [Fact]
    public void PsPassesWhatFollowsTheIdToPs()
    {
        var o = Bind<PsOptions>("ps", "-f", "json", "c1", "-ef", "--forest");
        Assert.Equal(("c1", "json"), (o.Id, o.Format));
        Assert.Equal(["-ef", "--forest"], o.PsArgs);
        Assert.Contains("use table or json", Fails("ps", "--format=xml", "c1"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("state")]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("delete")]
    [InlineData("create")]
    [InlineData("run")]
    [InlineData("kill")]
    [InlineData("events")]
    [InlineData("update")]
    public void AVerbOnAContainerNeedsItsId(string verb) =>
        Assert.Contains("got 0", Fails(verb), StringComparison.Ordinal);

    [Fact]
    public void TooManyOperandsAreAnError()
    {
        Assert.Contains("takes exactly 1 argument (<container-id>), got 2", Fails("start", "a", "b"), StringComparison.Ordinal);
        Assert.Contains("takes no arguments, got 1", Fails("list", "extra"), StringComparison.Ordinal);
        Assert.Contains("takes 1 or 2 arguments", Fails("kill", "a", "KILL", "b"), StringComparison.Ordinal);
    }

    // ---- signals ----

    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("kill", 9)]
    [InlineData("9", 9)]
    [InlineData("TERM", 15)]
    [InlineData("SIGUSR1", 10)]
    [InlineData("hup", 1)]
    [InlineData("RTMIN+2", 36)]
    [InlineData("SIGRTMAX", 64)]
    public void KillTakesSignalNamesAndNumbers(string signal, int expected) =>
        Assert.Equal(expected, Bind<KillOptions>("kill", "c1", signal).Signal);

    [Fact]
    public void KillDefaultsToTermAndRefusesUnknownSignals()
    {
        Assert.Equal(15, Bind<KillOptions>("kill", "c1").Signal);
        Assert.Contains("invalid signal: SIGBOGUS", Fails("kill", "c1", "SIGBOGUS"), StringComparison.Ordinal);
        Assert.Contains("invalid signal: 99", Fails("kill", "c1", "99"), StringComparison.Ordinal);
        // A negative number is not a signal but an unknown flag: never taken as an operand.
        Assert.Contains("flag provided but not defined: -9", Fails("kill", "c1", "-9"), StringComparison.Ordinal);
    }

    // ---- global flags ----

    [Fact]
    public void GlobalFlagsFillTheRuntimeOptions()
    {
        var line = Parse("--root", "/r", "--log=/l", "--log-format", "json", "--debug", "--systemd-cgroup", "--rootless=true", "--criu", "/c", "state", "c1");
        var o = line.Options;
        Assert.Equal(("/r", "/l", "json", true, true, true, "/c"), (o.Root, o.LogFile, o.LogFormat, o.Debug, o.SystemdCgroup, o.Rootless, o.Criu));
        Assert.Equal("state", line.Verb);
        Assert.False(Parse("--rootless", "false", "list").Options.Rootless);
        Assert.Null(Parse("-rootless=auto", "list").Options.Rootless);
        Assert.False(Parse("--debug=false", "list").Options.Debug);
        Assert.Contains("invalid --rootless maybe", Fails("--rootless", "maybe", "list"), StringComparison.Ordinal);
        Assert.Contains("invalid --log-format xml", Fails("--log-format", "xml", "list"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-v")]
    [InlineData("version")]
    public void VersionIsAskedForByFlagOrVerb(string arg) => Assert.Equal("version", Parse(arg).Verb);

    [Fact]
    public void HelpIsAskedForByFlagVerbOrNothing()
    {
        Assert.Equal("help", Parse("--help").Verb);
        Assert.Equal("help", Parse("-h").Verb);
        Assert.Equal("help", Parse().Verb);
        var topic = Parse("help", "create");
        Assert.Equal(("help", "create"), (topic.Verb, topic.Parsed!.Operands[0]));
        Assert.True(Parse("create", "--help").Parsed!.Help);
        Assert.True(Parse("delete", "-h").Parsed!.Help); // no id needed for help
    }

    [Fact]
    public void HelpListsEveryVerbWithItsFlags()
    {
        string overview = Help.Overview();
        foreach (var verb in VerbTable.Verbs.Where(v => !v.Hidden))
        {
            Assert.Contains("   " + verb.Name, overview, StringComparison.Ordinal);
            foreach (var flag in verb.Flags) Assert.Contains(flag.Label, overview, StringComparison.Ordinal);
        }
        foreach (var flag in VerbTable.Global) Assert.Contains(flag.Label, overview, StringComparison.Ordinal);
        string exec = Help.Verb(VerbTable.Find("exec")!);
        Assert.Contains("--additional-gids value, -g value", exec, StringComparison.Ordinal);
        Assert.Contains("--help, -h", exec, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckpointAndRestoreAreRefusedClearly()
    {
        Assert.Equal("checkpoint is not supported: skiff-runtime has no CRIU support", Fails("checkpoint", "--image-path", "/x", "c1"));
        Assert.Equal("restore is not supported: skiff-runtime has no CRIU support", Fails("restore", "c1"));
        Assert.Contains("Intel RDT is not supported", Fails("update", "--l3-cache-schema", "L3:0=f", "c1"), StringComparison.Ordinal);
    }

    // ---- the option records ----

    [Fact]
    public void CreateAndRunOptions()
    {
        var c = Bind<CreateOptions>("create", "-b", "/b", "--console-socket", "/s", "--pid-file", "/p", "--no-pivot", "--no-new-keyring", "--preserve-fds", "2", "c1");
        Assert.Equal(new CreateOptions { Id = "c1", Bundle = "/b", ConsoleSocket = "/s", PidFile = "/p", NoPivot = true, NoNewKeyring = true, PreserveFds = 2 }, c);
        Assert.Equal(".", Bind<CreateOptions>("create", "c1").Bundle);
        Assert.Contains("invalid value \"-1\" for flag --preserve-fds", Fails("create", "--preserve-fds", "-1", "c1"), StringComparison.Ordinal);
        var r = Bind<RunOptions>("run", "-d", "--keep", "--no-subreaper", "-b", "/b", "c1");
        Assert.Equal((true, true, true, "/b", "c1"), (r.Detach, r.Keep, r.NoSubreaper, r.Create.Bundle, r.Create.Id));
    }

    [Fact]
    public void ExecOptions()
    {
        var e = Bind<ExecOptions>("exec", "--console-socket", "/s", "--cwd", "/w", "-u", "1000:100", "-g", "5", "-p", "/p.json", "-d",
            "--pid-file", "/pid", "--process-label", "l", "--apparmor", "a", "--no-new-privs", "-c", "CAP_NET_ADMIN", "--cap", "sys_time",
            "--preserve-fds", "1", "--cgroup", "cpu:/x", "--cgroup", "/y", "--ignore-paused", "c1");
        Assert.Equal(("/s", "/w", 1000u, 100u, "/p.json", true, "/pid"), (e.ConsoleSocket, e.Cwd, e.Uid, e.Gid, e.ProcessFile, e.Detach, e.PidFile));
        Assert.Equal(("l", "a", true, 1, true), (e.ProcessLabel, e.AppArmorProfile, e.NoNewPrivileges, e.PreserveFds, e.IgnorePaused));
        Assert.Equal(["CAP_NET_ADMIN", "sys_time"], e.Capabilities);
        Assert.Equal(["cpu:/x", "/y"], e.Cgroups);
        Assert.Equal([5u], e.AdditionalGids);
        var plain = Bind<ExecOptions>("exec", "-u", "7", "c1", "id");
        Assert.Equal((7u, (uint?)null, (bool?)null, (bool?)null), (plain.Uid, plain.Gid, plain.Tty, plain.NoNewPrivileges));
        Assert.Contains("--user (uid)", Fails("exec", "-u", "root", "c1", "id"), StringComparison.Ordinal);
        Assert.Contains("--additional-gids", Fails("exec", "-g", "-5", "c1", "id"), StringComparison.Ordinal);
        Assert.Contains("expected NAME=VALUE", Fails("exec", "-e", "NOVALUE", "c1", "id"), StringComparison.Ordinal);
        Assert.Contains("unknown capability", Fails("exec", "--cap", "CAP_BOGUS", "c1", "id"), StringComparison.Ordinal);
    }

    [Fact]
    public void ListSpecAndEventsOptions()
    {
        Assert.Equal(new ListOptions { Format = "json", Quiet = true }, Bind<ListOptions>("list", "--format=json", "-q"));
        Assert.Equal(new ListOptions(), Bind<ListOptions>("list"));
        Assert.Equal(new SpecOptions { Bundle = "/b", Rootless = true }, Bind<SpecOptions>("spec", "-b", "/b", "--rootless"));
        var ev = Bind<EventsOptions>("events", "--interval", "1m30s", "--stats", "c1");
        Assert.Equal((TimeSpan.FromSeconds(90), true), (ev.Interval, ev.Stats));
        Assert.Equal(TimeSpan.FromSeconds(5), Bind<EventsOptions>("events", "c1").Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), Bind<EventsOptions>("events", "--interval=1.5s", "c1").Interval);
        Assert.Contains("expected a duration", Fails("events", "--interval", "5", "c1"), StringComparison.Ordinal);
        Assert.Contains("greater than 0", Fails("events", "--interval", "0", "c1"), StringComparison.Ordinal);
        Assert.Equal("c1", Bind<PauseOptions>("pause", "c1").Id);
        Assert.Equal("c1", Bind<ResumeOptions>("resume", "c1").Id);
        Assert.Equal("c1", Bind<StartOptions>("start", "c1").Id);
        Assert.Equal("c1", Bind<StateOptions>("state", "c1").Id);
    }

    [Fact]
    public void UpdateFlagsFillTheResources()
    {
        var r = Bind<UpdateOptions>("update", "--blkio-weight", "500", "--cpu-period", "100000", "--cpu-quota", "-1", "--cpu-share", "512",
            "--cpu-rt-period", "1000", "--cpu-rt-runtime", "500", "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--memory", "1g",
            "--memory-reservation", "512M", "--memory-swap", "2GiB", "--pids-limit", "100", "c1").Resources;
        Assert.Equal((ushort)500, r.BlockIo!.Weight);
        Assert.Equal((100000UL, -1L, 512UL, 1000UL, 500L, "0-1", "0"),
            (r.Cpu!.Period, r.Cpu.Quota, r.Cpu.Shares, r.Cpu.RealtimePeriod, r.Cpu.RealtimeRuntime, r.Cpu.Cpus, r.Cpu.Mems));
        Assert.Equal((1L << 30, 512L << 20, 2L << 30), (r.Memory!.Limit, r.Memory.Reservation, r.Memory.Swap));
        Assert.Equal(100, r.Pids!.Limit);
        var none = Bind<UpdateOptions>("update", "c1").Resources;
        Assert.True(none.Memory is null && none.Cpu is null && none.Pids is null && none.BlockIo is null);
        Assert.Contains("expected a size", Fails("update", "--memory", "lots", "c1"), StringComparison.Ordinal);
        Assert.Contains("--cpu-period", Fails("update", "--cpu-period", "-5", "c1"), StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateReadsResourcesFromAFileOrStdin()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"memory":{"limit":1048576},"pids":{"limit":5}}""");
            var o = Bind<UpdateOptions>("update", "-r", file, "--memory", "1g", "c1");
            Assert.Equal((file, 1048576L, 5L), (o.ResourcesFile, o.Resources.Memory!.Limit, o.Resources.Pids!.Limit));
            var fromStdin = OptionBinding.Update(Parse("update", "--resources", "-", "c1").Parsed!,
                () => new MemoryStream("""{"cpu":{"shares":2}}"""u8.ToArray()));
            Assert.Equal(2UL, fromStdin.Resources.Cpu!.Shares);
            File.WriteAllText(file, "{\"memory\": [");
            string message = Fails("update", "-r", file, "c1");
            Assert.StartsWith($"--resources {file}: invalid JSON", message, StringComparison.Ordinal);
            Assert.Contains("no such file", Fails("update", "-r", file + ".missing", "c1"), StringComparison.Ordinal);
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1024", 1024L)]
    [InlineData("1k", 1024L)]
    [InlineData("1KB", 1024L)]
    [InlineData("1.5m", 1572864L)]
    [InlineData("2 GiB", 2147483648L)]
    [InlineData("1t", 1099511627776L)]
    [InlineData("-1", -1L)]
    public void MemorySizesAreReadAsRuncReadsThem(string text, long expected) =>
        Assert.Equal(expected, OptionBinding.MemorySize("--memory", text));

    [Theory]
    [InlineData("5s", 50_000_000L)]
    [InlineData("1m30s", 900_000_000L)]
    [InlineData("250ms", 2_500_000L)]
    [InlineData("2h", 72_000_000_000L)]
    [InlineData("100us", 1_000L)]
    [InlineData("-1s", -10_000_000L)]
    public void DurationsAreGos(string text, long ticks) => Assert.Equal(ticks, GoDuration.Parse(text, "--interval").Ticks);
}
