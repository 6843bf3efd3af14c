using System.CommandLine;
using Skiff.Engine;

namespace Skiff.Cli.Commands;

/// <summary>`skiff tag IMAGE TARGET...`, `skiff untag IMAGE [NAME...]` (and `image tag|untag`), `image exists IMAGE`: podman's arguments, errors and exit codes.</summary>
public static class TagCommand
{
    public static Command Tag(GlobalOptions global)
    {
        var args = new Argument<string[]>("IMAGE TARGET_NAME") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("tag", "Add an additional name to a local image") { args };
        cmd.SetAction(p =>
        {
            string[] a = p.GetValue(args) ?? [];
            if (a.Length < 2) throw new EngineException($"requires at least 2 arg(s), only received {a.Length}");
            global.Engine(p).TagImage(a[0], a[1..]);
            return 0;
        });
        return cmd;
    }

    public static Command Untag(GlobalOptions global)
    {
        var args = new Argument<string[]>("IMAGE NAME") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("untag", "Remove a name from a local image") { args };
        cmd.SetAction(p =>
        {
            string[] a = p.GetValue(args) ?? [];
            if (a.Length < 1) throw new EngineException($"requires at least 1 arg(s), only received {a.Length}");
            global.Engine(p).UntagImage(a[0], a[1..]);
            return 0;
        });
        return cmd;
    }

    public static Command Exists(GlobalOptions global)
    {
        var args = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("exists", "Check if an image exists in local storage") { args };
        cmd.SetAction(p =>
        {
            string[] a = p.GetValue(args) ?? [];
            if (a.Length != 1) throw new EngineException($"accepts 1 arg(s), received {a.Length}");
            return global.Engine(p).ImageExists(a[0]) ? 0 : 1;
        });
        return cmd;
    }
}
