namespace Skiff.EndToEnd;

/// <summary>
/// The shipped programs stay under a size budget (`make` prints their sizes). The runtime's size is paid on
/// every container start twice (the runtime and the init map most of it: it is most of their peak memory, and
/// where the read-only overlayfs is refused create copies it into a sealed memfd); the CLI's on every command's start.
/// Raising a budget is a decision to write down here, with its reason.
/// </summary>
public class BinarySizeTests
{
    private static readonly (string Name, long MaxBytes, string Why)[] Budgets =
    [
        ("skiff", 16L << 20, "the CLI: engine, images, storage, System.CommandLine, the template engine, SQLite bindings, inspect, events, volumes (14.2 MiB at issue 6)"),
        ("skiff-runtime", 7L << 20, "the runtime: seccomp tables for five architectures, cgroups, D-Bus for systemd (5.9 MiB optimized for size at issue 5)"),
        ("skiff-monitor", 4L << 20, "one runs beside every container: its mapped code and type data are shared, what it dirties counts (2.8 MiB static, not PIE, not dehydrated, at issue 6: the C library is linked in)"),
        ("skiff-init", 4L << 20, "the container init of run --init, static (2.4 MiB at issue 6)"),
    ];

    [Fact]
    public void Every_shipped_program_is_within_its_budget()
    {
        string outDir = Environment.GetEnvironmentVariable("SKIFF_OUT") is { Length: > 0 } o ? o : Path.Combine(Harness.AttackPrograms.RepoRoot, "out");
        foreach (var (name, max, why) in Budgets)
        {
            var file = new FileInfo(Path.Combine(outDir, name));
            Assert.True(file.Exists, $"{file.FullName} is missing: build with `make`");
            Assert.True(file.Length <= max, $"{name} is {file.Length / 1048576.0:F2} MiB, over its budget of {max >> 20} MiB ({why})");
        }
    }
}
