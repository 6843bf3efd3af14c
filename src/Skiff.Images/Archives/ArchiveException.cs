namespace Skiff.Images.Archives;

/// <summary>An archive that cannot be saved or loaded; the message is one line saying which file and why.</summary>
public sealed class ArchiveException : Exception
{
    public ArchiveException() { }
    public ArchiveException(string message) : base(message) { }
    public ArchiveException(string message, Exception inner) : base(message, inner) { }
}
