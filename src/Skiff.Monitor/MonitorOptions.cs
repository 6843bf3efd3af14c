using System.Globalization;

namespace Skiff.Monitor;

/// <summary>
/// skiff-monitor's command line, written by the engine (never typed by users):
/// <c>--id ID --runtime PATH --runtime-root DIR --bundle DIR --pid-file FILE --log-path FILE --exit-file FILE
/// --attach-socket PATH [--runtime-log FILE] [--log-max-size BYTES] [--terminal] [--stdin] [--exit-command ARG]...</c>.
/// Descriptor 3 is the sync pipe: one line, "ok PID" once the container is created, or "error CODE" when the runtime
/// failed (its reasons are in --runtime-log).
/// </summary>
public sealed class MonitorOptions
{
    public string Id { get; private set; } = "";
    public string Runtime { get; private set; } = "";
    public string RuntimeRoot { get; private set; } = "";
    public string Bundle { get; private set; } = "";
    public string PidFile { get; private set; } = "";
    public string LogPath { get; private set; } = "";
    public long LogMaxSize { get; private set; } = -1;
    public string ExitFile { get; private set; } = "";
    public string AttachSocket { get; private set; } = "";
    public string? RuntimeLog { get; private set; }
    public bool Terminal { get; private set; }
    public bool Stdin { get; private set; }
    /// <summary>What runs once the container has exited and its exit file is written (the engine's cleanup).</summary>
    public List<string> ExitCommand { get; } = [];

    public static MonitorOptions Parse(IReadOnlyList<string> args)
    {
        var o = new MonitorOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Value() => ++i < args.Count ? args[i] : throw new ArgumentException($"{a} needs a value");
            switch (a)
            {
                case "--id": o.Id = Value(); break;
                case "--runtime": o.Runtime = Value(); break;
                case "--runtime-root": o.RuntimeRoot = Value(); break;
                case "--bundle": o.Bundle = Value(); break;
                case "--pid-file": o.PidFile = Value(); break;
                case "--log-path": o.LogPath = Value(); break;
                case "--log-max-size":
                    o.LogMaxSize = long.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long size)
                        ? size : throw new ArgumentException($"--log-max-size {args[i]} is not a number");
                    break;
                case "--exit-file": o.ExitFile = Value(); break;
                case "--attach-socket": o.AttachSocket = Value(); break;
                case "--runtime-log": o.RuntimeLog = Value(); break;
                case "--terminal": o.Terminal = true; break;
                case "--stdin": o.Stdin = true; break;
                case "--exit-command": o.ExitCommand.Add(Value()); break;
                default: throw new ArgumentException($"unknown option {a}");
            }
        }
        foreach (var (name, value) in new[] { ("--id", o.Id), ("--runtime", o.Runtime), ("--runtime-root", o.RuntimeRoot), ("--bundle", o.Bundle),
            ("--pid-file", o.PidFile), ("--log-path", o.LogPath), ("--exit-file", o.ExitFile), ("--attach-socket", o.AttachSocket) })
            if (value.Length == 0) throw new ArgumentException($"{name} is required");
        return o;
    }
}
