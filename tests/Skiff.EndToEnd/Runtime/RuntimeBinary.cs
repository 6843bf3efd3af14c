using System.Diagnostics;

namespace Skiff.EndToEnd.Runtime;

/// <summary>
/// Finds skiff-runtime: $SKIFF_OUT/skiff-runtime when SKIFF_OUT is set (the Makefile publishes
/// there), otherwise publishes src/Skiff.Runtime.Cli once into a temporary directory.
/// </summary>
public sealed class RuntimeBinary
{
    private static readonly Lazy<string> s_path = new(Locate);

    public static string Path => s_path.Value;

    private static string Locate()
    {
        string? outDir = Environment.GetEnvironmentVariable("SKIFF_OUT");
        if (!string.IsNullOrEmpty(outDir))
        {
            string p = System.IO.Path.Combine(outDir, "skiff-runtime");
            return File.Exists(p) ? p : throw new InvalidOperationException($"SKIFF_OUT={outDir} has no skiff-runtime: publish it first");
        }
        string repo = FindRepo();
        string dest = Directory.CreateTempSubdirectory("skiff-e2e-out-").FullName;
        var psi = new ProcessStartInfo("dotnet", ["publish", System.IO.Path.Combine(repo, "src/Skiff.Runtime.Cli"), "-c", "Release", "-o", dest])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p2 = Process.Start(psi)!;
        string output = p2.StandardOutput.ReadToEnd() + p2.StandardError.ReadToEnd();
        p2.WaitForExit();
        if (p2.ExitCode != 0) throw new InvalidOperationException($"dotnet publish of skiff-runtime failed:\n{output}");
        return System.IO.Path.Combine(dest, "skiff-runtime");
    }

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "Skiff.slnx"))) return d.FullName;
        // Artifacts may live outside the repository (SkiffArtifacts): fall back to the working directory.
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "Skiff.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository to publish skiff-runtime: set SKIFF_OUT");
    }
}

/// <summary>The result of running a program.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr);

public static class Runner
{
    /// <summary>
    /// Runs a program with stdout and stderr in files, not pipes: a container started by `create`
    /// keeps create's stdio open, so reading a pipe to its end would wait for the container.
    /// </summary>
    public static async Task<RunResult> RunAsync(string file, IEnumerable<string> args, int timeoutSeconds = 60, Dictionary<string, string>? env = null)
    {
        string dir = Directory.CreateTempSubdirectory("skiff-run-").FullName;
        try
        {
            string outFile = Path.Combine(dir, "out"), errFile = Path.Combine(dir, "err");
            var psi = new ProcessStartInfo("/bin/sh", ["-c", "exec \"$0\" \"$@\" >\"$SKIFF_TEST_OUT\" 2>\"$SKIFF_TEST_ERR\" </dev/null", file, .. args]);
            psi.Environment["SKIFF_TEST_OUT"] = outFile;
            psi.Environment["SKIFF_TEST_ERR"] = errFile;
            foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
            using var p = Process.Start(psi)!;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
            try { await p.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
            }
            return new RunResult(p.ExitCode, await File.ReadAllTextAsync(outFile), await File.ReadAllTextAsync(errFile));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
