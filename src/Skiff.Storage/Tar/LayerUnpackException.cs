namespace Skiff.Storage.Tar;

/// <summary>A layer tar that cannot be applied safely: an escaping name, a symlinked parent, a limit exceeded.</summary>
public sealed class LayerUnpackException : Exception
{
    public LayerUnpackException() { }
    public LayerUnpackException(string message) : base(message) { }
    public LayerUnpackException(string message, Exception inner) : base(message, inner) { }
}
