using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.TestSupport;

namespace Skiff.EndToEnd.Runtime;

/// <summary>
/// Containers killed at every stage, over and over: after create (init waiting for start), right after start,
/// with SIGTERM and SIGKILL while running, and while exiting by themselves. Each time delete must leave no
/// process, no cgroup directory and no state behind. A few rounds here; `make stress` runs hundreds
/// (SKIFF_STRESS_ITERATIONS).
/// </summary>
public class KillStressTests
{
    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("SKIFF_STRESS_ITERATIONS"), out int n) ? n : 10;

    [RootFact]
    public async Task ContainersKilledAtEveryStageLeaveNothingBehind()
    {
        using var b = new TestBundle("sh", "-c", "trap 'exit 3' TERM; sleep 100 & wait");
        for (int i = 0; i < Iterations; i++)
        {
            string id = "k" + i.ToString(CultureInfo.InvariantCulture);
            int stage = i % 5;
            if (stage == 4) b.Process["args"] = new JsonArray("true");
            else b.Process["args"] = new JsonArray("sh", "-c", "trap 'exit 3' TERM; sleep 100 & wait");
            var create = await b.Runtime("create", "--bundle", b.Dir, id);
            Assert.True(create.ExitCode == 0, $"round {i}: {create.Stderr}");
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(b.StateRoot, id, "state.json")))!;
            int pid = state["pid"]!.GetValue<int>();
            var cgroups = state["cgroup"]?["paths"]?.AsObject().Select(kv => kv.Value!.GetValue<string>()).ToList() ?? [];
            if (stage != 0)
            {
                var start = await b.Runtime("start", id);
                Assert.True(start.ExitCode == 0, $"round {i}: {start.Stderr}");
            }
            switch (stage)
            {
                case 1: Assert.Equal(0, (await b.Runtime("kill", id, "KILL")).ExitCode); break;
                case 2: Assert.Equal(0, (await b.Runtime("kill", id, "TERM")).ExitCode); break;
                case 3: Assert.Equal(0, (await b.Runtime("kill", "--all", id, "KILL")).ExitCode); break;
                default: break; // 0: never started; 4: exits by itself
            }
            var delete = await b.Runtime("delete", "--force", id);
            Assert.True(delete.ExitCode == 0, $"round {i} (stage {stage}): {delete.Stderr}");
            Assert.False(Directory.Exists(Path.Combine(b.StateRoot, id)), $"round {i}: the state directory is left");
            Assert.False(IsAlive(pid), $"round {i} (stage {stage}): the init {pid} is still alive after delete");
            foreach (string dir in cgroups) Assert.False(Directory.Exists(dir), $"round {i} (stage {stage}): cgroup {dir} is left");
        }
    }

    /// <summary>Alive and not a zombie (a zombie's parent, not delete, reaps it).</summary>
    private static bool IsAlive(int pid)
    {
        try { return !File.ReadAllText($"/proc/{pid}/stat").Split(") ", 2)[1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}
