using System.Diagnostics;
using System.Text.Json;
using Skiff.Runtime;
using Skiff.TestSupport;

namespace Skiff.Tests.Runtime;

/// <summary>--log, --log-format and --debug as runc writes them; errors as one line.</summary>
public sealed class RuntimeLogTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-log-").FullName;
    private readonly StringWriter _stderr = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RuntimeLog Log(string? file, string format = "text", bool debug = false)
    {
        var log = new RuntimeLog(_stderr, () => At);
        log.Configure(new RuntimeOptions { LogFile = file, LogFormat = format, Debug = debug });
        return log;
    }

    [Fact]
    public void JsonLinesHaveRuncsShape()
    {
        string line = RuntimeLog.FormatJson("error", "container \"x\" does not exist", At);
        Assert.Equal("""{"level":"error","msg":"container \u0022x\u0022 does not exist","time":"2026-01-02T03:04:05Z"}""", line);
        using var doc = JsonDocument.Parse(line);
        Assert.Equal(["level", "msg", "time"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("container \"x\" does not exist", doc.RootElement.GetProperty("msg").GetString());
    }

    [Fact]
    public void TextLinesAreLogrusTextWithAQuotedMessage() =>
        Assert.Equal("time=\"2026-01-02T03:04:05Z\" level=warning msg=\"a \\\"b\\\"\\tc\\\\d\"",
            RuntimeLog.FormatText("warning", "a \"b\"\tc\\d", At));

    [Fact]
    public void WithALogFileErrorsGoToItAndToStderrAsOnePlainLine()
    {
        string file = Path.Combine(_dir, "log.json");
        using (var log = Log(file, "json"))
        {
            log.Warn("rlimit clamped");
            log.Debug("not written without --debug");
            log.Error("it broke\nbadly");
        }
        string[] lines = File.ReadAllLines(file);
        Assert.Equal(2, lines.Length);
        using var warn = JsonDocument.Parse(lines[0]);
        Assert.Equal(("warning", "rlimit clamped"), (warn.RootElement.GetProperty("level").GetString(), warn.RootElement.GetProperty("msg").GetString()));
        using var error = JsonDocument.Parse(lines[1]);
        Assert.Equal(("error", "it broke; badly"), (error.RootElement.GetProperty("level").GetString(), error.RootElement.GetProperty("msg").GetString()));
        Assert.Equal("skiff-runtime: it broke; badly\n", _stderr.ToString());
    }

    [Fact]
    public void DebugLinesNeedDebug()
    {
        string file = Path.Combine(_dir, "log.txt");
        using (var log = Log(file, "text", debug: true))
        {
            Assert.True(log.DebugEnabled);
            log.Debug("hook ran");
        }
        Assert.Equal("time=\"2026-01-02T03:04:05Z\" level=debug msg=\"hook ran\"\n", File.ReadAllText(file));
        Assert.Equal("", _stderr.ToString());
    }

    [Fact]
    public void TheLogFileIsAppendedTo()
    {
        string file = Path.Combine(_dir, "log");
        File.WriteAllText(file, "earlier\n");
        using (var log = Log(file)) log.Error("later");
        Assert.Equal(["earlier", "time=\"2026-01-02T03:04:05Z\" level=error msg=\"later\""], File.ReadAllLines(file));
    }

    [Fact]
    public void WithoutALogFileLinesGoToStderrInTheChosenFormat()
    {
        using (var text = Log(null)) { text.Error("e1"); text.Warn("w1"); }
        using (var json = Log(null, "json")) json.Error("e2");
        Assert.Equal(["skiff-runtime: e1", "skiff-runtime: warning: w1", """{"level":"error","msg":"e2","time":"2026-01-02T03:04:05Z"}"""],
            _stderr.ToString().TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void ALogFileThatCannotBeOpenedIsAOneLineError()
    {
        var log = new RuntimeLog(_stderr);
        var e = Assert.Throws<RuntimeException>(() => log.Configure(new RuntimeOptions { LogFile = Path.Combine(_dir, "missing/dir/log") }));
        Assert.Equal($"cannot open the log file {Path.Combine(_dir, "missing/dir/log")}: No such file or directory", e.Message);
        Assert.Throws<RuntimeException>(() => log.Configure(new RuntimeOptions { LogFormat = "xml" }));
    }

    [RequiresProgramsFact("runc")]
    public void OurJsonLineHasTheKeysOfRuncs()
    {
        string file = Path.Combine(_dir, "runc.json");
        var psi = new ProcessStartInfo("runc", ["--root", Path.Combine(_dir, "root"), "--log", file, "--log-format", "json", "state", "nonexistent"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using (var p = Process.Start(psi)!)
        {
            p.StandardError.ReadToEnd();
            p.WaitForExit();
        }
        using var runc = JsonDocument.Parse(File.ReadAllLines(file)[^1]);
        using var ours = JsonDocument.Parse(RuntimeLog.FormatJson("error", "container does not exist", DateTimeOffset.UtcNow));
        // runc adds file/func (logrus' caller reporting); level, msg and time are what podman and conmon read.
        var runcKeys = runc.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var key in ours.RootElement.EnumerateObject())
        {
            Assert.Contains(key.Name, runcKeys);
            Assert.Equal(runc.RootElement.GetProperty(key.Name).ValueKind, key.Value.ValueKind);
        }
        Assert.Equal("error", runc.RootElement.GetProperty("level").GetString());
        string time = runc.RootElement.GetProperty("time").GetString()!;
        Assert.True(DateTimeOffset.TryParse(time, System.Globalization.CultureInfo.InvariantCulture, out _), time);
    }

    [Theory]
    [InlineData("one line", "one line")]
    [InlineData("first\nsecond\r\n\nthird", "first; second; third")]
    [InlineData("  padded \n", "padded")]
    public void MessagesBecomeOneLine(string message, string expected) => Assert.Equal(expected, RuntimeLog.OneLine(message));
}
