using System.Text;
using System.Text.Json;
using Skiff.Interop;

namespace Skiff.Runtime;

/// <summary>
/// One line a user can act on for an exception that reached the command line. The runtime is built with
/// UseSystemResourceKeys, so .NET's own messages arrive as resource keys ("IO_FileNotFound_FileName, /x",
/// "IO_EOF_ReadBeyondEOF"): those are reworded into sentences here, never printed as they are.
/// </summary>
public static class ErrorText
{
    // The keys a runtime user can provoke (files, directories, permissions, end of input), as sentences.
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["IO_FileNotFound"] = "no such file or directory",
        ["IO_FileNotFound_FileName"] = "{0}: no such file or directory",
        ["IO_PathNotFound_NoPathName"] = "no such file or directory",
        ["IO_PathNotFound_Path"] = "{0}: no such file or directory",
        ["UnauthorizedAccess_IODenied_NoPathName"] = "permission denied",
        ["UnauthorizedAccess_IODenied_Path"] = "{0}: permission denied",
        ["IO_FileExists_Name"] = "{0}: file exists",
        ["IO_AlreadyExists_Name"] = "{0}: already exists",
        ["IO_PathTooLong"] = "a path is too long",
        ["IO_PathTooLong_Path"] = "{0}: the path is too long",
        ["IO_SharingViolation_File"] = "{0}: the file is in use",
        ["IO_SharingViolation_NoFileName"] = "a file is in use",
        ["IO_EOF_ReadBeyondEOF"] = "unexpected end of file",
        ["IO_FileTooLong2GB"] = "the file is larger than 2 GiB",
        ["IO_DiskFull_Path_AllocationSize"] = "{0}: no space left on device",
        ["Arg_PathEmpty"] = "an empty path was given",
        ["Argument_EmptyPath"] = "an empty path was given",
        ["Argument_InvalidPathChars"] = "a path holds an invalid character",
        ["ObjectDisposed_FileClosed"] = "a file was used after it was closed",
        ["NotSupported_UnreadableStream"] = "a stream cannot be read",
        ["NotSupported_UnwritableStream"] = "a stream cannot be written",
        // System.Text.Json's, for config.json, process.json and resources files.
        ["DeserializeUnableToConvertValue"] = "the value has the wrong type",
        ["ExpectedStartOfValueNotFound"] = "expected a value, found '{0}'",
        ["ExpectedStartOfPropertyNotFound"] = "expected a property name, found '{0}'",
        ["ExpectedStartOfPropertyOrValueNotFound"] = "expected a property name or a value",
        ["ExpectedSeparatorAfterPropertyNameNotFound"] = "expected ':' after a property name, found '{0}'",
        ["ExpectedEndAfterSingleJson"] = "more data after the JSON value, starting with '{0}'",
        ["ExpectedEndOfDigitNotFound"] = "a number ends with '{0}'",
        ["ExpectedNextDigitEValueNotFound"] = "a number's exponent ends with '{0}'",
        ["EndOfStringNotFound"] = "a string is not terminated",
        ["EndOfCommentNotFound"] = "a comment is not terminated",
        ["ZeroDepthAtEnd"] = "the input ends inside an object or array",
        ["InvalidEndOfJsonNonPrimitive"] = "the input ends inside an object or array",
        ["ExpectedJsonTokens"] = "the input holds no JSON value",
        ["InvalidCharacterWithinString"] = "a string holds the control character '{0}'",
        ["InvalidCharacterAfterEscapeWithinString"] = "a string holds the invalid escape '\\{0}'",
        ["FoundInvalidCharacter"] = "unexpected character '{0}'",
        ["ArrayDepthTooLarge"] = "arrays nest too deeply",
        ["DepthTooLarge"] = "objects nest too deeply",
        ["InvalidLeadingZeroInNumber"] = "a number has a leading zero",
        ["RequiredDigitNotFoundAfterSign"] = "a number's sign is not followed by a digit",
        ["RequiredDigitNotFoundAfterDecimal"] = "a number's decimal point is not followed by a digit",
        ["RequiredDigitNotFoundEndOfData"] = "the input ends inside a number",
        ["ExpectedFalse"] = "expected 'false'",
        ["ExpectedTrue"] = "expected 'true'",
        ["ExpectedNull"] = "expected 'null'",
        ["ExpectedValueAfterPropertyNameNotFound"] = "expected a value after a property name",
        ["TrailingCommaNotAllowedBeforeObjectEnd"] = "a trailing comma before '}'",
        ["TrailingCommaNotAllowedBeforeArrayEnd"] = "a trailing comma before ']'",
        ["MismatchedObjectArray"] = "'{0}' does not close what is open",
    };

    /// <summary>The exception as one line: our own messages as they are, .NET's reworded, JSON errors with their place.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string text = e switch
        {
            RuntimeException or ErrnoException => e.Message,
            JsonException j => Json(j),
            FileNotFoundException f when f.FileName is { Length: > 0 } name => $"{name}: no such file or directory",
            EndOfStreamException => "unexpected end of file",
            _ => Reword(e.Message),
        };
        return RuntimeLog.OneLine(text);
    }

    /// <summary>A JSON error as "invalid JSON at line L, column C (path P): what".</summary>
    public static string Json(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var where = new StringBuilder("invalid JSON");
        if (e.LineNumber is long line) where.Append(" at line ").Append(line + 1);
        if (e.BytePositionInLine is long column) where.Append(", column ").Append(column + 1);
        if (!string.IsNullOrEmpty(e.Path) && e.Path != "$") where.Append(" (at ").Append(e.Path).Append(')');
        string what = e.Message;
        int pathInfo = what.IndexOf(" Path: ", StringComparison.Ordinal);
        if (pathInfo < 0) pathInfo = what.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        if (pathInfo >= 0) what = what[..pathInfo];
        what = Reword(what.Trim());
        return what.Length == 0 ? where.ToString() : $"{where}: {what}";
    }

    /// <summary>A message that is a resource key (with its arguments) turned into words; any other message unchanged.</summary>
    public static string Reword(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int comma = message.IndexOf(',', StringComparison.Ordinal);
        string key = comma < 0 ? message : message[..comma];
        if (!IsKey(key)) return message;
        // "Key, arg1, arg2" (an empty argument leaves "Key,").
        string[] args = comma < 0 ? [] : message[(comma + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (Known.TryGetValue(key, out string? format))
        {
            if (args.Length > 0) return format.Replace("{0}", string.Join(", ", args), StringComparison.Ordinal);
            // The key came without its argument: say the rest.
            return WithoutArgument(format);
        }
        string words = Humanize(key);
        return args.Length == 0 ? words : $"{words}: {string.Join(", ", args)}";
    }

    /// <summary>A format with its "{0}" left out, and the words that only introduced it ("PATH: ", ", found 'X'").</summary>
    private static string WithoutArgument(string format)
    {
        foreach (string part in (string[])["{0}: ", ", found '{0}'", ", starting with '{0}'", ", found '\\{0}'", "'\\{0}'", "'{0}'"])
            format = format.Replace(part, "", StringComparison.Ordinal);
        return format;
    }

    /// <summary>Resource keys are one token of letters, digits and underscores with an inner capital or an underscore.</summary>
    private static bool IsKey(string token)
    {
        if (token.Length < 3 || !char.IsAsciiLetter(token[0])) return false;
        if (!token.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return token.Contains('_', StringComparison.Ordinal) || token.Skip(1).Any(char.IsAsciiLetterUpper);
    }

    /// <summary>"IO_EOF_ReadBeyondEOF" → "EOF read beyond EOF", "DeserializeUnableToConvertValue" → "deserialize unable to convert value".</summary>
    private static string Humanize(string key)
    {
        var words = new List<string>();
        foreach (string part in key.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            int start = 0;
            for (int i = 1; i <= part.Length; i++)
            {
                bool boundary = i == part.Length ||
                    (char.IsAsciiLetterUpper(part[i]) && (char.IsAsciiLetterLower(part[i - 1]) ||
                        (i + 1 < part.Length && char.IsAsciiLetterLower(part[i + 1]) && char.IsAsciiLetterUpper(part[i - 1]))));
                if (!boundary) continue;
                string w = part[start..i];
                words.Add(w.All(char.IsAsciiLetterUpper) && w.Length > 1 ? w : w.ToLowerInvariant());
                start = i;
            }
        }
        if (words.Count > 1 && words[0] is "IO" or "arg" or "argument") words.RemoveAt(0);
        return string.Join(' ', words);
    }
}
