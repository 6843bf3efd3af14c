using System.Diagnostics;
using Skiff.EndToEnd.Harness;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// Many `skiff` processes on one store at once, as scripts do: `run -d` and `rm -f` racing, and `run --rm` killed at
/// random moments. No container may be lost, duplicated or half-created, and nothing (process, monitor, mount,
/// record) may be left behind. `make test` runs one round of 12; `make stress` runs SKIFF_STRESS_ITERATIONS / 100
/// rounds of 50.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class ConcurrencyStressTests(SkiffEnvironment env)
{
    private static bool Stress => Environment.GetEnvironmentVariable("SKIFF_STRESS_ITERATIONS") is not null;
    private static int Width => Stress ? 50 : 12;
    private static int Rounds => Stress && int.TryParse(Environment.GetEnvironmentVariable("SKIFF_STRESS_ITERATIONS"), out int n) ? Math.Max(1, n / 100) : 1;

    private readonly string _store = "conc-" + Guid.NewGuid().ToString("N")[..8];
    private string StoreDir => Path.Combine(env.Work, _store);

    private CommandResult S(params string[] args) => env.SkiffIn(_store, args);

    private static int ProcessesWith(string marker) => HostState.ProcessesWith(marker);

    private static int MountsUnder(string dir) => HostState.MountsUnder(dir);

    [RootFact]
    public void Run_detached_and_rm_force_at_once_lose_and_leak_nothing()
    {
        Assert.Equal(0, S("pull", "--tls-verify=false", env.Busybox).ExitCode);
        string marker = Random.Shared.Next(1_000_000, 9_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (int round = 0; round < Rounds; round++)
        {
            var first = Parallel(Width, i => S("run", "-d", "--name", $"a{round}-{i}", env.Busybox, "sleep", marker));
            Assert.All(first, r => Assert.True(r.ExitCode == 0, r.ToString()));
            var ids = first.Select(r => r.Stdout.Trim()).ToList();
            Assert.Equal(Width, ids.Distinct().Count());
            Assert.Equal(Width, ProcessesWith(marker));

            // Remove those while as many new ones start.
            var mixed = Parallel(2 * Width, i => i % 2 == 0
                ? S("rm", "-f", "-t", "0", ids[i / 2])
                : S("run", "-d", "--name", $"b{round}-{i / 2}", env.Busybox, "sleep", marker));
            Assert.All(mixed, r => Assert.True(r.ExitCode == 0, r.ToString()));
            var listed = S("ps", "-a", "--format", "{{.Names}}").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
            Assert.Equal(Enumerable.Range(0, Width).Select(i => $"b{round}-{i}").Order().ToList(), listed);
            Assert.Equal(Width, ProcessesWith(marker));

            var removed = Parallel(Width, i => S("rm", "-f", "-t", "0", $"b{round}-{i}"));
            Assert.All(removed, r => Assert.True(r.ExitCode == 0, r.ToString()));
            Assert.Equal("", S("ps", "-a", "-q").Stdout);
            var sw = Stopwatch.StartNew();
            while ((ProcessesWith(marker) > 0 || Monitors() > 0) && sw.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
            Assert.Equal(0, ProcessesWith(marker));
            Assert.Equal(0, Monitors());
            Assert.Equal(0, MountsUnder(StoreDir));
        }
    }

    /// <summary>This store's monitors still running (they exit once their container's cleanup is done).</summary>
    private int Monitors() => HostState.ProcessesWithAll("skiff-monitor", StoreDir);

    private static List<CommandResult> Parallel(int count, Func<int, CommandResult> action)
    {
        var tasks = Enumerable.Range(0, count).Select(i => Task.Factory.StartNew(() => action(i), TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(tasks);
        return [.. tasks.Select(t => t.Result)];
    }
}
