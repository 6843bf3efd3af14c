namespace Skiff.Cli.Output.Templates;

/// <summary>
/// A template that does not parse or fails while executing, worded as Go's text/template words it
/// ("template: output:1:2: executing \"output\" at &lt;.Foo&gt;: can't evaluate field Foo in type ...").
/// Always one line, so a verb can print it as its error and exit with 125.
/// </summary>
public sealed class TemplateException : FormatException
{
    public TemplateException(string message) : base(OneLine(message)) { }

    public TemplateException() { }

    public TemplateException(string message, Exception innerException) : base(OneLine(message), innerException) { }

    private static string OneLine(string message)
        => message.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
