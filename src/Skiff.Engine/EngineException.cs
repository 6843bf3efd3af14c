namespace Skiff.Engine;

/// <summary>What kind of failure an <see cref="EngineException"/> is: front ends map it to their own codes.</summary>
public enum ErrorKind
{
    /// <summary>The engine could not do what was asked (bad input, a failed step).</summary>
    Failed,
    /// <summary>The container, image or volume named does not exist.</summary>
    NoSuchObject,
    /// <summary>It exists but its state forbids the operation (running, in use by a container).</summary>
    InUse,
    /// <summary>The container's command exists but cannot be invoked (not executable, a bad working directory).</summary>
    CannotInvoke,
    /// <summary>The container's command was not found.</summary>
    CommandNotFound,
}

/// <summary>
/// The exit codes podman uses for failures of its own (not the container's), from an <see cref="ErrorKind"/>: the one
/// place where kinds become exit codes (the REST API will map the same kinds to HTTP statuses).
/// </summary>
public static class ExitCodes
{
    /// <summary>The engine failed.</summary>
    public const int EngineError = 125;
    /// <summary>The container command exists but cannot be invoked.</summary>
    public const int CannotInvoke = 126;
    /// <summary>The container command was not found.</summary>
    public const int NotFound = 127;

    /// <summary>podman's code for a failure of this kind in most verbs (start, stop, kill, wait, inspect, run...).</summary>
    public static int For(ErrorKind kind) => kind switch
    {
        ErrorKind.CannotInvoke => CannotInvoke,
        ErrorKind.CommandNotFound => NotFound,
        _ => EngineError,
    };

    /// <summary>
    /// podman's removal verbs (rm, rmi, volume rm) and the exists checks say more: 1 when what was named does not
    /// exist, 2 when it is in use.
    /// </summary>
    public static int ForRemoval(ErrorKind kind) => kind switch
    {
        ErrorKind.NoSuchObject => 1,
        ErrorKind.InUse => 2,
        _ => For(kind),
    };

    /// <summary>The kind of a runtime's failure to start a container's command, from podman's exit codes for it.</summary>
    public static ErrorKind KindOf(int code) => code switch
    {
        CannotInvoke => ErrorKind.CannotInvoke,
        NotFound => ErrorKind.CommandNotFound,
        _ => ErrorKind.Failed,
    };
}

/// <summary>An error the user caused or can act on: one line, and its <see cref="ErrorKind"/>.</summary>
public class EngineException : Exception
{
    public ErrorKind Kind { get; } = ErrorKind.Failed;

    /// <summary>The exit code for most verbs (<see cref="ExitCodes.For"/>); removal verbs use <see cref="ExitCodes.ForRemoval"/>.</summary>
    public int ExitCode => ExitCodes.For(Kind);

    public EngineException(string message, ErrorKind kind) : base(message) => Kind = kind;

    public EngineException(string message, Exception inner) : base(message, inner) { }

    public EngineException() { }

    public EngineException(string message) : base(message) { }

    /// <summary>podman's words for a container that does not exist.</summary>
    public static EngineException NoSuchContainer(string nameOrId)
        => new($"no container with name or ID \"{nameOrId}\" found: no such container", ErrorKind.NoSuchObject);
}

/// <summary>What the user reads for an exception: its message, or words in place of a .NET resource key (NativeAOT).</summary>
public static class UserMessages
{
    public static string Of(Exception e) => Interop.ErrorText.Of(e);
}
