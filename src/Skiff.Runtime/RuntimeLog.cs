using System.Globalization;
using System.Text;
using System.Text.Json;
using Skiff.Interop;

namespace Skiff.Runtime;

/// <summary>
/// The runtime's log as runc writes it. With --log FILE every line (error, warning, and debug with --debug) is
/// appended to FILE in --log-format text (logrus' <c>time="..." level=error msg="..."</c>) or json (one object per
/// line: level, msg, time, which podman and conmon read); errors also go to stderr as one plain line. Without
/// --log the lines go to stderr: plain text, or the json lines with --log-format json.
/// </summary>
public sealed class RuntimeLog : IDisposable
{
    public const string LevelDebug = "debug", LevelInfo = "info", LevelWarning = "warning", LevelError = "error";

    private readonly TextWriter _stderr;
    private readonly Func<DateTimeOffset> _clock;
    private SafeFd? _file;
    private bool _json;

    public RuntimeLog() : this(Console.Error) { }

    /// <summary>A log whose stderr lines go to <paramref name="stderr"/> and whose times come from <paramref name="clock"/> (tests).</summary>
    public RuntimeLog(TextWriter stderr, Func<DateTimeOffset>? clock = null)
    {
        _stderr = stderr;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>Whether debug lines are written (--debug).</summary>
    public bool DebugEnabled { get; private set; }

    /// <summary>Applies --log, --log-format and --debug; fails (one line) when the log file cannot be opened for appending.</summary>
    public void Configure(RuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _json = options.LogFormat switch
        {
            "json" => true,
            "text" => false,
            _ => throw new RuntimeException($"invalid --log-format {options.LogFormat}: use text or json"),
        };
        DebugEnabled = options.Debug;
        if (options.LogFile is not { Length: > 0 } file) return;
        int fd = Libc.Open(file, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_CLOEXEC | Libc.O_NOCTTY, 0x1a4); // 0644, as runc
        if (fd < 0) throw new RuntimeException($"cannot open the log file {file}: {Libc.StrError(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        _file?.Dispose();
        _file = new SafeFd(fd);
    }

    public void Debug(string message)
    {
        if (DebugEnabled) Write(LevelDebug, message);
    }

    public void Info(string message) => Write(LevelInfo, message);

    public void Warn(string message) => Write(LevelWarning, message);

    /// <summary>An error: one line on stderr, and the formatted line in the log file when there is one.</summary>
    public void Error(string message)
    {
        message = OneLine(message);
        if (_file is not null)
        {
            Append(Format(LevelError, message));
            StderrLine($"skiff-runtime: {message}");
        }
        else StderrLine(_json ? FormatJson(LevelError, message, _clock()) : $"skiff-runtime: {message}");
    }

    private void Write(string level, string message)
    {
        message = OneLine(message);
        if (_file is not null) Append(Format(level, message));
        else StderrLine(_json ? FormatJson(level, message, _clock()) : $"skiff-runtime: {level}: {message}");
    }

    private string Format(string level, string message) =>
        _json ? FormatJson(level, message, _clock()) : FormatText(level, message, _clock());

    private void Append(string line)
    {
        // One write per line: O_APPEND keeps lines of concurrent runtimes whole.
        try { Libc.WriteAll(_file!.Fd, Encoding.UTF8.GetBytes(line + "\n")); }
        catch (ErrnoException e) { StderrLine($"skiff-runtime: cannot write the log file: {e.Message}"); }
    }

    private void StderrLine(string line)
    {
        try
        {
            _stderr.WriteLine(line);
            _stderr.Flush();
        }
        catch (IOException) { /* stderr closed: nowhere left to say it */ }
    }

    /// <summary>RFC 3339 in UTC to the second, as logrus writes it.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>runc's json line: {"level":"error","msg":"...","time":"..."} (logrus sorts the keys).</summary>
    public static string FormatJson(string level, string message, DateTimeOffset time)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("level", level);
            w.WriteString("msg", message);
            w.WriteString("time", FormatTime(time));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>runc's text line: time="..." level=error msg="..." (the message quoted as Go's %q does).</summary>
    public static string FormatText(string level, string message, DateTimeOffset time) =>
        $"time=\"{FormatTime(time)}\" level={level} msg={Quote(message)}";

    private static string Quote(string s)
    {
        var b = new StringBuilder(s.Length + 2).Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) b.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else b.Append(c);
                    break;
            }
        }
        return b.Append('"').ToString();
    }

    /// <summary>A message as one line: line breaks (a hook's output, an inner error) become "; ".</summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.IndexOfAny(['\n', '\r']) < 0) return message;
        var parts = message.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join("; ", parts);
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }
}
