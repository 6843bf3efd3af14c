using Skiff.Interop;

namespace Skiff.Engine.Processes;

/// <summary>Signals as `kill` and `--stop-signal` take them: TERM, SIGTERM, sigterm, 15, RTMIN+2.</summary>
public static class SignalParser
{
    /// <summary>The signal's number; an <see cref="EngineException"/> "invalid signal: X" when the text names none.</summary>
    public static int Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SignalNames.TryParse(text) ?? throw new EngineException($"invalid signal: {text}");
    }
}
