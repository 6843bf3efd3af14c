using System.CommandLine;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>`skiff rmi IMAGE...`: untag by name, delete when no name is left; exit 1 when an image is not known, 2 when one is in use.</summary>
public static class RmiCommand
{
    public static Command Create(GlobalOptions global)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Remove the image even if containers use it (the containers are left as they are)" };
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("rmi", "Remove one or more images from local storage") { force, images };
        cmd.SetAction(p =>
        {
            var paths = global.Paths(p);
            var service = new ImageService(paths);
            var containers = new ContainerStore(paths);
            int exit = 0;
            foreach (string input in p.GetValue(images) ?? [])
            {
                var image = service.FindLocal(input);
                if (image is null)
                {
                    exit = Math.Max(exit, SkiffCli.Fail($"{input}: image not known", 1));
                    continue;
                }
                if (!p.GetValue(force) && containers.UsingImage(image.Id).FirstOrDefault() is { } user)
                {
                    exit = Math.Max(exit, SkiffCli.Fail($"image used by {user.Id}: image is in use by a container: consider listing external containers and force-removing image", 2));
                    continue;
                }
                string? byName = image.Names.FirstOrDefault(n => n == input || n == input + ":latest" || n.EndsWith("/" + input, StringComparison.Ordinal) || n.EndsWith("/" + input + ":latest", StringComparison.Ordinal));
                if (byName is not null && image.Names.Count > 1)
                {
                    service.Store.Untag(image.Id, byName);
                    Console.WriteLine($"Untagged: {byName}");
                    continue;
                }
                foreach (string n in image.Names) Console.WriteLine($"Untagged: {n}");
                service.Store.RemoveImage(image.Id);
                Console.WriteLine($"Deleted: {image.Id}");
            }
            return exit;
        });
        return cmd;
    }
}
