using System.Globalization;
using Skiff.Runtime.Lifecycle;
using Skiff.Runtime.Options;
using Skiff.Runtime.State;

namespace Skiff.Runtime.Cli.Commands;

/// <summary>
/// ps [--format table|json] ID [PS-ARGS...]: runc's ps. json prints the pids of the container's processes;
/// table runs ps(1) (with PS-ARGS, "-ef" by default) and keeps its header and the container's lines.
/// </summary>
public static class PsCommand
{
    public static int Run(RuntimeOptions global, PsOptions o)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(o);
        string format = o.Format;
        var pids = ContainerCgroups.Pids(new StateStore(global.Root), o.Id);
        if (format == "json")
        {
            Console.Out.WriteLine("[" + string.Join(",", pids.Select(p => p.ToString(CultureInfo.InvariantCulture))) + "]");
            return 0;
        }
        if (format != "table") throw new RuntimeException($"invalid format option: {format} (table or json)");
        string[] psArgs = o.PsArgs.Count > 0 ? [.. o.PsArgs] : ["-ef"];
        string ps = new[] { "/usr/bin/ps", "/bin/ps" }.FirstOrDefault(File.Exists) ?? throw new RuntimeException("ps not found: install the procps package");
        var (code, output) = RunCapture(ps, psArgs);
        if (code != 0) throw new RuntimeException($"ps {string.Join(' ', psArgs)} failed with exit code {code}");
        string[] lines = output.Split('\n');
        int pidColumn = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidColumn < 0) throw new RuntimeException("couldn't find PID field in ps output");
        var set = pids.ToHashSet();
        Console.Out.WriteLine(lines[0]);
        foreach (string l in lines.Skip(1))
        {
            string[] f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > pidColumn && int.TryParse(f[pidColumn], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && set.Contains(pid))
                Console.Out.WriteLine(l);
        }
        return 0;
    }

    private static (int Code, string Output) RunCapture(string path, string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(path, args) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment["LC_ALL"] = "C";
        using var p = System.Diagnostics.Process.Start(psi) ?? throw new RuntimeException($"cannot run {path}");
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
