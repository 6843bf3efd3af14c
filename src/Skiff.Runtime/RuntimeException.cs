namespace Skiff.Runtime;

/// <summary>A failure the runtime reports as one line and an exit code (127 not found, 126 not executable, 1 otherwise).</summary>
public sealed class RuntimeException : Exception
{
    public int ExitCode { get; } = 1;

    public RuntimeException(string message, int exitCode = 1) : base(message) => ExitCode = exitCode;

    public RuntimeException() { }
    public RuntimeException(string message) : base(message) { }
    public RuntimeException(string message, Exception inner) : base(message, inner) { }
}
