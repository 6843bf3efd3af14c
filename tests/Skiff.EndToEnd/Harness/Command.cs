using System.Diagnostics;
using System.Text;

namespace Skiff.EndToEnd.Harness;

public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs a program as a user would, with a time limit so that a hang fails the test instead of the suite.</summary>
public static class Command
{
    public static CommandResult Run(string program, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null, int timeoutSeconds = 180)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.Append(e.Data).Append('\n'); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {timeoutSeconds} s\n{stdout}\n{stderr}");
        }
        p.WaitForExit();
        return new CommandResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static CommandResult Must(string program, params string[] args)
    {
        var r = Run(program, args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {r}");
        return r;
    }
}
