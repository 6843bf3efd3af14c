using static Skiff.Tests.Cli.Templates.TemplateTestData;

namespace Skiff.Tests.Cli.Templates;

/// <summary>printf as Go's fmt: every expected string here is what podman 4.3.1 (Go 1.19) prints for the same call.</summary>
public sealed class TemplatePrintfTests
{
    [Theory]
    [InlineData("%s|%v|%d|%q|%t|%x", "\"ab\" \"ab\" 42 \"q\" true 255", "ab|ab|42|\"q\"|true|ff")]
    [InlineData("%-5s|%5d|%q|%t|%x|%v", "\"ab\" 42 \"q\" true 255 1.5", "ab   |   42|\"q\"|true|ff|1.5")]
    [InlineData("%5.2f|%-6d|%06d|%+d|%x|%X|%o|%b|%e|%g|%c|%U|%%|%q|%8q|%-8s|%.2s|%t",
        "3.14159 42 42 42 \"hi\" 255 8 5 1234.5678 0.000012 65 65 65 \"a\\\"b\" \"é\" \"ab\" true",
        " 3.14|42    |000042|+42|6869|FF|10|101|1.234568e+03|1.2e-05|A|U+0041|%|'A'|  \"a\\\"b\"|é       |ab|true")]
    [InlineData("%05s|%-05d|%+.2e|%x|% x|%#x|%X|%08.3f|%+q|%#q|%c|%U|%#U|%5.1s|%.0d|%3c|%o|%#o|%O|%b|%#b|%t",
        "\"ab\" 7 12345.678 \"hi\" \"hi\" \"hi\" -1 3.14159 \"é\" \"a\" 9731 9731 9731 \"abc\" 0 65 8 8 8 5 5 false",
        "000ab|7    |+1.23e+04|6869|68 69|0x6869|-1|0003.142|\"\\u00e9\"|`a`|☃|U+2603|U+2603 '☃'|    a||  A|10|010|0o10|101|0b101|false")]
    [InlineData("%[2]s %[1]s|%*d|%-*d|%.*f|%d %!|%z", "\"a\" \"b\" 5 1 5 1 2 3.14159 1",
        "b a|%!(BADWIDTH)5|5|%!f(int=2)|%!d(float64=3.14159) %!!(int=1)|%!z(MISSING)")]
    [InlineData("%v %v %v %v", "100000.0 1000000.0 0.000012 -0.0", "100000 1e+06 1.2e-05 -0")]
    [InlineData("%g %G %e %E %.3g %.10g %f", "1e-7 1e-7 0.0 1e100 1234567.0 1.0 1e20",
        "1e-07 1E-07 0.000000e+00 1.000000E+100 1.23e+06 1 100000000000000000000.000000")]
    [InlineData("%.2f %.2f %.1f %.0f %.0f", "0.125 0.375 0.25 0.5 1.5", "0.12 0.38 0.2 0 2")]
    [InlineData("%6.2f|%-8.3e|%+g|% d|%+d", "3.14159 1234.5 2.5 5 -5", "  3.14|1.234e+03|+2.5| 5|-5")]
    [InlineData("%5t|%-5v|%x", "true 1 -255", " true|1    |-ff")]
    [InlineData("%T %T %T %T", "1 \"a\" 1.5 true", "int string float64 bool")]
    [InlineData("%d %s", "\"a\" 1", "%!d(string=a) %!s(int=1)")]
    [InlineData("%d", "", "%!d(MISSING)")]
    [InlineData("%d", "1 2", "1%!(EXTRA int=2)")]
    [InlineData("%d", "1 \"x\" nil", "1%!(EXTRA string=x, <nil>)")]
    [InlineData("%v %s %d", "nil nil nil", "<nil> %!s(<nil>) %!d(<nil>)")]
    [InlineData("%d %s %t %x", "1.5 1.5 1 1.0", "%!d(float64=1.5) %!s(float64=1.5) %!t(int=1) 0x1p+00")]
    [InlineData("%x %X % X %#x", "\"héllo\" \"hi\" \"hi\" 255", "68c3a96c6c6f 6869 68 69 0xff")]
    [InlineData("abc%", "", "abc%!(NOVERB)")]
    [InlineData("%08.3f|%+08d|%-8.2f|%08s", "-3.14159 42 2.5 \"x\"", "-003.142|+0000042|2.50    |0000000x")]
    [InlineData("%.3s|%.10s|%5.1q", "\"héllo\" \"ab\" \"xyz\"", "hél|ab|  \"x\"")]
    [InlineData("%b %o %x %X", "-5 -8 -255 3054", "-101 -10 -ff BEE")]
    [InlineData("%.3d|%6.3d|%-6.3d|", "7 7 -7", "007|   007|-007  |")]
    public void Printf_matches_go(string format, string args, string expected)
        => Assert.Equal(expected, Render("{{printf " + Skiff.Tests.Cli.Templates.TemplatePrintfTests.Quote(format) + (args.Length > 0 ? " " + args : "") + "}}"));

    [Theory]
    [InlineData("{{printf \"%v|%d|%s|%q\" (split \"a,b\" \",\") (len \"abc\") (split \"a,b\" \",\") (split \"a,b\" \",\")}}", "[a b]|3|[a b]|[\"a\" \"b\"]")]
    [InlineData("{{printf \"%v\" .Labels}}", "map[a:1 b:2]")]
    [InlineData("{{printf \"%q\" .Names}}", "[\"web\" \"db\"]")]
    [InlineData("{{printf \"%5s|\" .Names}}", "[  web    db]|")]
    [InlineData("{{printf \"%d\" .Names}}", "[%!d(string=web) %!d(string=db)]")]
    [InlineData("{{printf \"%s\" .Nothing}}", "%!s(<nil>)")]
    [InlineData("{{printf \"%v %T\" .Nothing .Labels}}", "<nil> map[string]interface {}")]
    [InlineData("{{printf \"%s=%v\" \"size\" .Size}}", "size=1024")]
    public void Printf_of_data_values(string template, string expected)
        => Assert.Equal(expected, Render(template));

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
