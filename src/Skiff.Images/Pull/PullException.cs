namespace Skiff.Images.Pull;

/// <summary>A pull that failed; the message is one line naming the image and what went wrong,
/// e.g. "initializing source docker://host/repo:tag: reading manifest tag in host/repo: manifest unknown".</summary>
public sealed class PullException : Exception
{
    public PullException() { }
    public PullException(string message) : base(message) { }
    public PullException(string message, Exception inner) : base(message, inner) { }

    /// <summary>True when the image does not exist there (so another short-name candidate may be tried).</summary>
    public bool IsNotFound { get; init; }
}
