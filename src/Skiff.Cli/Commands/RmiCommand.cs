using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>`skiff rmi IMAGE...`: untag by name, delete when no name is left; exit 1 when an image is not known, 2 when one is in use.</summary>
public static class RmiCommand
{
    /// <summary>`rmi`, or `image rm` (<paramref name="name"/> "rm").</summary>
    public static Command Create(GlobalOptions global, string name = "rmi")
    {
        var force = new Option<bool>("--force", "-f") { Description = "Remove the image and the containers that use it" };
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command(name, "Remove one or more images from local storage") { force, images };
        cmd.SetAction(p =>
        {
            var engine = global.Engine(p);
            int exit = 0;
            // The engine decides what each input untags or deletes; reports come as each input is done.
            foreach (var removal in engine.RemoveImages(p.GetValue(images) ?? [], p.GetValue(force)))
            {
                if (removal.Error is { } error)
                {
                    exit = Math.Max(exit, SkiffCli.Fail(error, ExitCodes.ForRemoval(removal.Kind)));
                    continue;
                }
                foreach (string n in removal.Untagged) Console.WriteLine($"Untagged: {n}");
                if (removal.DeletedId is { } id) Console.WriteLine($"Deleted: {id}");
            }
            return exit;
        });
        return cmd;
    }
}
