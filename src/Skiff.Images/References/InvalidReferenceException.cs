namespace Skiff.Images.References;

/// <summary>An image name that does not follow the reference grammar; the message names the input and the rule.</summary>
public sealed class InvalidReferenceException : Exception
{
    public InvalidReferenceException(string input, string reason)
        : base($"parsing reference \"{input}\": invalid reference format: {reason}")
    {
        Input = input;
        Reason = reason;
    }

    public InvalidReferenceException() { }
    public InvalidReferenceException(string message) : base(message) { }
    public InvalidReferenceException(string message, Exception inner) : base(message, inner) { }

    public string Input { get; } = "";

    /// <summary>Which rule the input broke ("repository name must be lowercase"), without the input.</summary>
    public string Reason { get; } = "";
}
