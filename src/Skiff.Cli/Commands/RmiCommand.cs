using System.CommandLine;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.Lifecycle;
using Skiff.Engine.Images;

namespace Skiff.Cli.Commands;

/// <summary>`skiff rmi IMAGE...`: untag by name, delete when no name is left; exit 1 when an image is not known, 2 when one is in use.</summary>
public static class RmiCommand
{
    public static Command Create(GlobalOptions global)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Remove the image and the containers that use it" };
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
                string? byName = image.Names.FirstOrDefault(n => n == input || n == input + ":latest" || n.EndsWith("/" + input, StringComparison.Ordinal) || n.EndsWith("/" + input + ":latest", StringComparison.Ordinal));
                if (byName is null && image.Names.Count > 1 && !p.GetValue(force))
                {
                    exit = Math.Max(exit, SkiffCli.Fail($"unable to delete image \"{image.Id}\" by ID with more than one tag ([{string.Join(' ', image.Names)}]): please force removal", ExitCodes.EngineError));
                    continue;
                }
                if (byName is not null && image.Names.Count > 1)
                {
                    service.Store.Untag(image.Id, byName);
                    Console.WriteLine($"Untagged: {byName}");
                    continue;
                }
                try
                {
                    // Checked with no container start in between (the store's use lock); -f removes the
                    // containers first, as podman does, so no overlay is left on deleted layers.
                    service.Store.RemoveImage(image.Id, () =>
                    {
                        foreach (var c in containers.UsingImage(image.Id).ToList())
                        {
                            if (!p.GetValue(force))
                                throw new EngineException($"image used by {c.Id}: image is in use by a container: consider listing external containers and force-removing image", 2);
                            new ContainerLifecycle(paths, service).Remove(c.Id, force: true, timeout: null);
                        }
                    });
                }
                catch (EngineException e)
                {
                    exit = Math.Max(exit, SkiffCli.Fail(e.Message, e.ExitCode));
                    continue;
                }
                foreach (string n in image.Names) Console.WriteLine($"Untagged: {n}");
                Console.WriteLine($"Deleted: {image.Id}");
            }
            return exit;
        });
        return cmd;
    }
}
