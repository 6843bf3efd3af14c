namespace Skiff.Engine;

/// <summary>The exit codes podman uses for failures of its own (not the container's).</summary>
public static class ExitCodes
{
    /// <summary>The engine failed.</summary>
    public const int EngineError = 125;
    /// <summary>The container command exists but cannot be invoked.</summary>
    public const int CannotInvoke = 126;
    /// <summary>The container command was not found.</summary>
    public const int NotFound = 127;
}

/// <summary>An error the user caused or can act on: one line, and the exit code to leave with.</summary>
public class EngineException : Exception
{
    public int ExitCode { get; } = ExitCodes.EngineError;

    public EngineException(string message, int exitCode = ExitCodes.EngineError) : base(message) => ExitCode = exitCode;

    public EngineException(string message, Exception inner) : base(message, inner) { }

    public EngineException() { }

    public EngineException(string message) : base(message) { }
}

/// <summary>What the user reads for an exception: its message, or words in place of a .NET resource key (NativeAOT).</summary>
public static class UserMessages
{
    public static string Of(Exception e) => Interop.ErrorText.Of(e);
}
