using Skiff.Engine.Containers;
using Skiff.Engine.Lifecycle;

namespace Skiff.Engine.Images;

/// <summary>
/// What `rmi` did with one of its inputs: the names it untagged and the image it deleted, or why it did
/// neither (the message and its kind: <see cref="ExitCodes.ForRemoval"/> gives podman's exit code for it).
/// </summary>
public sealed record ImageRemoval(string Input, IReadOnlyList<string> Untagged, string? DeletedId, string? Error, ErrorKind Kind)
{
    public bool Failed => Error is not null;

    internal static ImageRemoval Fail(string input, string error, ErrorKind kind) => new(input, [], null, error, kind);

    /// <summary>A removal that worked: what it untagged, and the image it deleted (if it deleted one).</summary>
    internal static ImageRemoval Done(string input, IReadOnlyList<string> untagged, string? deletedId) => new(input, untagged, deletedId, null, default);
}

/// <summary>
/// podman's rules for removing images: a name untags (the image goes when its last name does), an id deletes
/// (refused for an image with several names unless forced), and an image in use by containers is refused
/// (exit 2) unless forced, when its containers are stopped and removed first.
/// </summary>
public sealed class ImageRemover(ImageService images)
{
    /// <summary>
    /// Removes each input in turn, one report per input, yielded as each is done (so a front end prints as it
    /// goes, and what was done before an unexpected failure is still reported).
    /// </summary>
    public IEnumerable<ImageRemoval> Remove(IEnumerable<string> inputs, bool force)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var containers = new ContainerStore(images.Paths);
        foreach (string input in inputs)
            yield return RemoveOne(input, force, containers);
    }

    private ImageRemoval RemoveOne(string input, bool force, ContainerStore containers)
    {
        var image = images.FindLocal(input);
        if (image is null)
            return ImageRemoval.Fail(input, $"{input}: image not known", ErrorKind.NoSuchObject);
        string? byName = image.Names.FirstOrDefault(n => n == input || n == input + ":latest" || n.EndsWith("/" + input, StringComparison.Ordinal) || n.EndsWith("/" + input + ":latest", StringComparison.Ordinal));
        if (byName is null && image.Names.Count > 1 && !force)
            return ImageRemoval.Fail(input, $"unable to delete image \"{image.Id}\" by ID with more than one tag ([{string.Join(' ', image.Names)}]): please force removal", ErrorKind.Failed);
        if (byName is not null && image.Names.Count > 1)
        {
            images.Store.Untag(image.Id, byName);
            Events.EventLog.For(images.Paths).Image("untag", image.Id, byName);
            return ImageRemoval.Done(input, [byName], null);
        }
        try
        {
            // Checked with no container start in between (the store's use lock); -f removes the
            // containers first, as podman does, so no overlay is left on deleted layers.
            images.Store.RemoveImage(image.Id, () =>
            {
                foreach (var c in containers.UsingImage(image.Id).ToList())
                {
                    if (!force)
                        throw new EngineException($"image used by {c.Id}: image is in use by a container: consider listing external containers and force-removing image", ErrorKind.InUse);
                    new ContainerLifecycle(images.Paths, images).Remove(c.Id, force: true, timeout: null);
                }
            });
        }
        catch (EngineException e)
        {
            return ImageRemoval.Fail(input, e.Message, e.Kind);
        }
        var events = Events.EventLog.For(images.Paths);
        foreach (string name in image.Names) events.Image("untag", image.Id, name);
        events.Image("remove", image.Id, image.Names.FirstOrDefault() ?? image.Id);
        return ImageRemoval.Done(input, [.. image.Names], image.Id);
    }
}
