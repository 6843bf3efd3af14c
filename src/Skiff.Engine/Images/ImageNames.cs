using Skiff.Images.References;

namespace Skiff.Engine.Images;

/// <summary>
/// podman's names for `tag` and `untag` (libimage's NormalizeName): a name without a registry gets "localhost/",
/// one without tag or digest gets ":latest", docker.io names get "library/"; a name that breaks the reference
/// grammar is refused with podman's words for it.
/// </summary>
public static class ImageNames
{
    /// <summary>The normalised name for <paramref name="input"/>; throws <see cref="EngineException"/> in podman's words.</summary>
    public static string Normalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            if (input.Length == 0) throw new InvalidReferenceException(input, "repository name must have at least one component");
            return ImageReference.Parse(ImageReference.HasDomain(input) ? input : "localhost/" + input).ToString();
        }
        catch (InvalidReferenceException e)
        {
            // podman wraps the error twice (libimage and the CLI), so the prefix is said twice.
            throw new EngineException($"normalizing name \"{input}\": normalizing name \"{input}\": {Reason(e)}");
        }
    }

    /// <summary>The reason as Go's reference package says it: a few named rules, "invalid reference format" for the rest.</summary>
    public static string Reason(InvalidReferenceException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Reason is "repository name must be lowercase" or "repository name must have at least one component"
            || e.Reason.StartsWith("repository name must not be more than", StringComparison.Ordinal)
            ? e.Reason
            : "invalid reference format";
    }
}
