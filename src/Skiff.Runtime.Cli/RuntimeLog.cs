using System.Text;
using System.Text.Json;
using Skiff.Runtime;

namespace Skiff.Runtime.Cli;

/// <summary>Errors go to stderr as one line, and to --log (text or runc's json lines) when given.</summary>
public sealed class RuntimeLog
{
    private RuntimeOptions? _options;

    public void Configure(RuntimeOptions options) => _options = options;

    public void Error(string message)
    {
        Console.Error.WriteLine($"skiff-runtime: {message}");
        if (_options?.LogFile is not { Length: > 0 } file) return;
        try
        {
            string time = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffK", System.Globalization.CultureInfo.InvariantCulture);
            string line;
            if (_options.LogFormat == "json")
            {
                using var stream = new MemoryStream();
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    w.WriteString("level", "error");
                    w.WriteString("msg", message);
                    w.WriteString("time", time);
                    w.WriteEndObject();
                }
                line = Encoding.UTF8.GetString(stream.ToArray());
            }
            else line = $"time=\"{time}\" level=error msg=\"{message}\"";
            File.AppendAllText(file, line + "\n");
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
