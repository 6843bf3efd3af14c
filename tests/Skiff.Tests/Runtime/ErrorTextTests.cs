using System.Text.Json;
using Skiff.Oci.Runtime;
using Skiff.Runtime;

namespace Skiff.Tests.Runtime;

/// <summary>.NET's resource keys (UseSystemResourceKeys) reworded into sentences; JSON errors with their place.</summary>
public class ErrorTextTests
{
    [Theory]
    [InlineData("IO_FileNotFound_FileName, /x/config.json", "/x/config.json: no such file or directory")]
    [InlineData("IO_PathNotFound_Path, /x/y", "/x/y: no such file or directory")]
    [InlineData("UnauthorizedAccess_IODenied_Path, /root/f", "/root/f: permission denied")]
    [InlineData("IO_EOF_ReadBeyondEOF", "unexpected end of file")]
    [InlineData("Arg_SomethingOdd_Happened, a, b", "something odd happened: a, b")]
    [InlineData("Cannot open /x: No such file or directory", "Cannot open /x: No such file or directory")]
    [InlineData("disk full", "disk full")]
    [InlineData("ExpectedStartOfValueNotFound, r", "expected a value, found 'r'")]
    [InlineData("ExpectedStartOfValueNotFound", "expected a value")]
    [InlineData("ZeroDepthAtEnd,", "the input ends inside an object or array")]
    [InlineData("DeserializeUnableToConvertValue, System.Collections.Generic.List`1[System.String]", "the value has the wrong type")]
    public void ResourceKeysAreReworded(string message, string expected) => Assert.Equal(expected, ErrorText.Reword(message));

    [Fact]
    public void JsonErrorsSayWhere()
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("{\n\"args\": 5}"u8, RuntimeJsonContext.Default.Process));
        string text = ErrorText.Json(e);
        Assert.StartsWith("invalid JSON at line 2, column", text, StringComparison.Ordinal);
        Assert.Contains("$.args", text, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", text, StringComparison.Ordinal);
        Assert.Equal("x: no such file or directory", ErrorText.Describe(new FileNotFoundException("IO_FileNotFound_FileName, x", "x")));
        Assert.Equal("a; b", ErrorText.Describe(new RuntimeException("a\nb")));
    }
}
