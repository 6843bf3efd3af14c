using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>`skiff run [options] IMAGE [COMMAND [ARG...]]` and `skiff create` (the same flags; create only records and prepares).</summary>
public static class RunCommand
{
    public static Command Create(GlobalOptions global) => Build(global, "run", "Run a command in a new container");

    public static Command CreateOnly(GlobalOptions global) => Build(global, "create", "Create but do not start a container");

    private static Command Build(GlobalOptions global, string verb, string description)
    {
        var flags = new ContainerFlags();
        var detach = new Option<bool>("--detach", "-d") { Description = "Run the container in the background and print its ID" };
        var image = new Argument<string>("IMAGE") { Description = "The image to run" };
        var command = new Argument<string[]>("COMMAND") { Description = "Command and arguments", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command(verb, description);
        flags.AddTo(cmd);
        if (verb == "run") cmd.Options.Add(detach);
        cmd.Arguments.Add(image);
        cmd.Arguments.Add(command);
        cmd.SetAction(async (p, ct) =>
        {
            var engine = global.Engine(p);
            var options = flags.Build(p, global, p.GetRequiredValue(image), p.GetValue(command) ?? [], verb == "run" && p.GetValue(detach));
            if (verb == "create")
            {
                var record = await engine.CreateAsync(options, ct).ConfigureAwait(false);
                Console.WriteLine(record.Id);
                return 0;
            }
            var result = await engine.RunAsync(options, ct).ConfigureAwait(false);
            if (options.Detach) Console.WriteLine(result.Id);
            return result.ExitCode;
        });
        return cmd;
    }

    /// <summary>
    /// Everything after run's IMAGE belongs to the container, even tokens that look like options
    /// (`run busybox sh -c 'exit 7'`): a "--" is put before them so the parser leaves them alone.
    /// </summary>
    public static string[] ProtectContainerCommand(string[] args)
    {
        int i = 0;
        for (; i < args.Length; i++)
        {
            string a = args[i];
            if (a is "run" or "create" or "exec") break;
            if (a == "container") continue; // container run
            if (!a.StartsWith('-')) return args;
            if (SkiffCli.GlobalValueOptions.Contains(a)) i++;
        }
        for (i++; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--") return args;
            if (!a.StartsWith('-') || a == "-")
            {
                if (i + 1 >= args.Length) return args;
                return [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
            }
            if (ContainerFlags.ValueOptions.Contains(a) || SkiffCli.GlobalValueOptions.Contains(a)) i++;
        }
        return args;
    }
}
