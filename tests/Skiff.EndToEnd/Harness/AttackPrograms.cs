using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Skiff.EndToEnd.Harness;

/// <summary>
/// The attack programs of tests/fixtures/attacks (freestanding C: they stand in for a dynamic loader or run in
/// images without a libc), built once per test run with clang, which `make` installs for NativeAOT anyway.
/// </summary>
public static class AttackPrograms
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> s_built = new();
    private static readonly string s_dir = Directory.CreateTempSubdirectory("skiff-attacks-").FullName;

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The path of the static x86_64 executable built from tests/fixtures/attacks/NAME.c (or tests/fixtures/DIR/NAME.c for "DIR/NAME").</summary>
    public static string Build(string name) => s_built.GetOrAdd(name, n => new Lazy<string>(() => Compile(n))).Value;

    private static string Compile(string name)
    {
        string source = Path.Combine(RepoRoot, "tests/fixtures", name.Contains('/', StringComparison.Ordinal) ? name : "attacks/" + name) + ".c";
        string output = Path.Combine(s_dir, name.Replace('/', '-'));
        var psi = new ProcessStartInfo("clang", ["-static", "-nostdlib", "-ffreestanding", "-fno-pie", "-O1", source, "-o", output])
        {
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        string errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"building {source} failed:\n{errors}");
        return output;
    }

    private static string FindRepoRoot()
    {
        string? built = typeof(AttackPrograms).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        foreach (string start in new[] { built ?? "/", AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Skiff.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Skiff.slnx)");
    }
}
