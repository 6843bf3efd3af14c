using Skiff.Interop;

namespace Skiff.Runtime.Config;

/// <summary>Signal names and numbers as `kill` accepts them: TERM, SIGTERM, sigterm, 15, RTMIN+2.</summary>
public static class Signals
{
    public static int Parse(string text) => SignalNames.TryParse(text) ?? throw new RuntimeException($"invalid signal: {text}");
}
