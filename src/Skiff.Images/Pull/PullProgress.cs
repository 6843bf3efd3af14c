namespace Skiff.Images.Pull;

/// <summary>podman-style progress lines, safe to write from parallel downloads.</summary>
internal sealed class PullProgress
{
    private readonly TextWriter? _writer;
    private readonly Lock _lock = new();

    public PullProgress(TextWriter? writer) => _writer = writer;

    public void Line(string text)
    {
        if (_writer is null) return;
        lock (_lock)
        {
            _writer.WriteLine(text);
            _writer.Flush();
        }
    }

    /// <summary>A warning, in podman's (logrus') shape on stderr: "WARN[0001] text".</summary>
    public void Warning(string text)
    {
        if (_writer is null) return;
        Line($"WARN[{(int)(DateTime.UtcNow - System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime()).TotalSeconds:0000}] {text}");
    }
}
