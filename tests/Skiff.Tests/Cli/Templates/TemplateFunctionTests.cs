using static Skiff.Tests.Cli.Templates.TemplateTestData;

namespace Skiff.Tests.Cli.Templates;

/// <summary>Go's builtin functions and podman's, with their argument checks.</summary>
public sealed class TemplateFunctionTests
{
    [Theory]
    [InlineData("{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" \"x\"}} [{{or 0 \"\"}}] {{not 0}} {{not \"a\"}}", "0 2 x [] true false")]
    [InlineData("{{or .ID (index .Names 5)}}", "abc123")]
    [InlineData("[{{and .Empty (index .Names 5)}}]", "[]")]
    [InlineData("{{.ID | and true}} {{.Empty | or \"fallback\"}}", "abc123 fallback")]
    [InlineData("{{eq 1 1 2}} {{eq \"a\" \"b\" \"a\"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}} {{eq nil nil}}", "true true true true true true false true")]
    [InlineData("{{eq .Size 1024}} {{eq .State.Status \"running\"}} {{eq .Nothing \"x\"}} {{ne .Empty \"\"}}", "true true false false")]
    [InlineData("{{lt .Ratio 2}} {{eq .Ratio 1.5}} {{gt .Size 1000.5}}", "true true true")]
    [InlineData("{{len .Names}} {{len .Labels}} {{len .ID}} {{len \"héllo\"}} {{len .Ports}}", "2 2 6 6 0")]
    [InlineData("{{index .Names 1}} {{index .Mounts 1 \"Source\"}} {{index .Labels \"a\"}}", "db /c 1")]
    [InlineData("{{index .Labels \"zz\"}}", "<no value>")]
    [InlineData("{{index \"héllo\" 1}} {{index .Names}}", "195 [web db]")]
    [InlineData("{{slice .Names 1}} {{slice .Names 0 1}} {{slice \"abcdef\" 1 3}} {{slice \"héllo\" 0 1}} {{slice .ID}}", "[db] [web] bc h abc123")]
    [InlineData("{{print \"a\" 1 2 \"b\" true nil}}", "a1 2btrue <nil>")]
    [InlineData("{{print 1.5 2}} {{print}}|", "1.5 2 |")]
    [InlineData("{{println 1 \"a\"}}|", "1 a\n|")]
    [InlineData("{{html \"<a href=\\\"x\\\">&'\"}}", "&lt;a href=&#34;x&#34;&gt;&amp;&#39;")]
    [InlineData("{{js \"a'b\\\"<>&=\\\\\"}}", "a\\'b\\\"\\u003C\\u003E\\u0026\\u003D\\\\")]
    [InlineData("{{urlquery \"a b&c/é\"}}", "a+b%26c%2F%C3%A9")]
    [InlineData("{{html 1 2}} {{urlquery .Names}}", "1 2 %5Bweb+db%5D")]
    public void Go_builtins(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{json .ID}}", "\"abc123\"")]
    [InlineData("{{json .Names}}", "[\"web\",\"db\"]")]
    [InlineData("{{json .Labels}}", "{\"b\":\"2\",\"a\":\"1\"}")]
    [InlineData("{{json .State}}", "{\"Status\":\"running\",\"Pid\":42,\"Running\":true,\"ExitCode\":0}")]
    [InlineData("{{json .Nothing}} {{json nil}} {{json .Ports}}", "null null []")]
    [InlineData("{{json .Ratio}} {{json 1e21}} {{json 0.0000001}} {{json 123.0}}", "1.5 1e+21 1e-7 123")]
    [InlineData("{{json \"a<b>&\\\"\\n\\u0001é\"}}", "\"a<b>&\\\"\\n\\u0001é\"")]
    [InlineData("{{json .Mounts}}", "[{\"Source\":\"/a\",\"Destination\":\"/b\"},{\"Source\":\"/c\",\"Destination\":\"/d\"}]")]
    [InlineData("{{join .Names \", \"}}", "web, db")]
    [InlineData("[{{join .Nothing \",\"}}]", "[]")]
    [InlineData("{{join (split \"a,b\" \",\") \"-\"}}", "a-b")]
    [InlineData("{{lower \"ABC\"}} {{upper .ID}} {{upper \"é\"}}", "abc ABC123 É")]
    [InlineData("{{title \"hello-world foo_bar x.y élan\"}}", "Hello-World Foo_bar X.Y Élan")]
    [InlineData("{{split \"a,b,c\" \",\"}} {{split \"abc\" \"\"}} {{index (split \"a:b\" \":\") 1}} {{len (split \"\" \",\")}}", "[a b c] [a b c] b 1")]
    [InlineData("{{printf \"%T\" (split \"a\" \",\")}}", "[]string")]
    [InlineData("{{truncate \"abcdef\" 3}} {{truncate \"ab\" 5}} {{truncate .ID 0}}|", "abc ab |")]
    [InlineData("{{pad \"x\" 2 3}}|{{pad \"\" 2 3}}|", "  x   ||")]
    [InlineData("{{contains \"abc\" \"b\"}} {{contains .ID \"x\"}} {{if contains .ID \"123\"}}y{{end}}", "true false y")]
    public void Podman_functions(string template, string expected)
        => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{upper}}", "template: output:1:2: executing \"output\" at <upper>: wrong number of args for upper: want 1 got 0")]
    [InlineData("{{upper \"a\" \"b\"}}", "template: output:1:2: executing \"output\" at <upper>: wrong number of args for upper: want 1 got 2")]
    [InlineData("{{\"a\" | upper \"b\"}}", "template: output:1:8: executing \"output\" at <upper>: wrong number of args for upper: want 1 got 2")]
    [InlineData("{{eq}}", "template: output:1:2: executing \"output\" at <eq>: wrong number of args for eq: want at least 1 got 0")]
    [InlineData("{{upper 1}}", "template: output:1:8: executing \"output\" at <1>: expected string; found 1")]
    [InlineData("{{truncate \"abc\" \"x\"}}", "template: output:1:17: executing \"output\" at <\"x\">: expected integer; found \"x\"")]
    [InlineData("{{upper .Size}}", "template: output:1:8: executing \"output\" at <.Size>: wrong type for value; expected string; got int")]
    [InlineData("{{upper .Nothing}}", "template: output:1:8: executing \"output\" at <.Nothing>: invalid value; expected string")]
    [InlineData("{{upper nil}}", "template: output:1:8: executing \"output\" at <nil>: cannot assign nil to string")]
    [InlineData("{{join .ID \",\"}}", "template: output:1:7: executing \"output\" at <.ID>: wrong type for value; expected []string; got string")]
    [InlineData("{{join .Mounts \",\"}}", "template: output:1:7: executing \"output\" at <.Mounts>: wrong type for value; expected []string; got []interface {}")]
    [InlineData("{{len 3}}", "template: output:1:2: executing \"output\" at <len 3>: error calling len: len of type int")]
    [InlineData("{{len .Nothing}}", "template: output:1:2: executing \"output\" at <len .Nothing>: error calling len: reflect: call of reflect.Value.Type on zero Value")]
    [InlineData("{{index .Names 5}}", "template: output:1:2: executing \"output\" at <index .Names 5>: error calling index: index out of range: 5")]
    [InlineData("{{index .Names \"a\"}}", "template: output:1:2: executing \"output\" at <index .Names \"a\">: error calling index: cannot index slice/array with type string")]
    [InlineData("{{index .Labels 1}}", "template: output:1:2: executing \"output\" at <index .Labels 1>: error calling index: value has type int; should be string")]
    [InlineData("{{index .Nothing 1}}", "template: output:1:2: executing \"output\" at <index .Nothing 1>: error calling index: index of untyped nil")]
    [InlineData("{{index 1 1}}", "template: output:1:2: executing \"output\" at <index 1 1>: error calling index: can't index item of type int")]
    [InlineData("{{slice .Names 2 1}}", "template: output:1:2: executing \"output\" at <slice .Names 2 1>: error calling slice: invalid slice index: 2 > 1")]
    [InlineData("{{slice .ID 1 2 3}}", "template: output:1:2: executing \"output\" at <slice .ID 1 2 3>: error calling slice: cannot 3-index slice a string")]
    [InlineData("{{eq 1 \"a\"}}", "template: output:1:2: executing \"output\" at <eq 1 \"a\">: error calling eq: incompatible types for comparison")]
    [InlineData("{{eq 1}}", "template: output:1:2: executing \"output\" at <eq 1>: error calling eq: missing argument for comparison")]
    [InlineData("{{lt true false}}", "template: output:1:2: executing \"output\" at <lt true false>: error calling lt: invalid type for comparison")]
    [InlineData("{{lt .Nothing 1}}", "template: output:1:2: executing \"output\" at <lt .Nothing 1>: error calling lt: invalid type for comparison")]
    [InlineData("{{eq .Names .Names}}", "template: output:1:2: executing \"output\" at <eq .Names .Names>: error calling eq: non-comparable type [web db]: []interface {}")]
    [InlineData("{{truncate \"abc\" -1}}", "template: output:1:2: executing \"output\" at <truncate \"abc\" -1>: error calling truncate: runtime error: slice bounds out of range [:-1]")]
    public void Function_errors_are_gos(string template, string expected)
        => Assert.Equal(expected, Error(template));
}
