using System.Text.Json;
using Skiff.Engine.Images;
using Skiff.Images.References;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;

namespace Skiff.Engine.Inspect;

/// <summary>Builds an image's <see cref="InspectImageData"/> from its record, its config and its manifest.</summary>
public sealed class ImageInspector(ImageService images)
{
    public InspectImageData Inspect(ImageRecord image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ImageConfigFile? config = null;
        try { config = images.ReadConfig(image); }
        catch (Exception e) when (e is IOException or JsonException or FormatException) { /* a damaged store: what the record says */ }
        var c = config?.Config;
        return new InspectImageData
        {
            Id = image.Id,
            Digest = image.ManifestDigest,
            RepoTags = [.. image.Names],
            RepoDigests = [.. image.Names.Select(n => RepoOf(n) + "@" + image.ManifestDigest).Distinct(StringComparer.Ordinal)],
            Created = (config?.Created ?? image.Created).ToUniversalTime(),
            Config = new InspectImageConfig
            {
                User = NullIfEmpty(c?.User),
                ExposedPorts = c?.ExposedPorts?.Count > 0 ? c.ExposedPorts.ToDictionary(p => p.Key, _ => new InspectEmpty(), StringComparer.Ordinal) : null,
                Env = c?.Env is { Count: > 0 } env ? env : null,
                Entrypoint = c?.Entrypoint is { Count: > 0 } entrypoint ? entrypoint : null,
                Cmd = c?.Cmd is { Count: > 0 } cmd ? cmd : null,
                Volumes = c?.Volumes?.Count > 0 ? c.Volumes.ToDictionary(p => p.Key, _ => new InspectEmpty(), StringComparer.Ordinal) : null,
                WorkingDir = NullIfEmpty(c?.WorkingDir),
                Labels = c?.Labels is { Count: > 0 } labels ? labels : null,
                StopSignal = NullIfEmpty(c?.StopSignal),
            },
            Author = config?.Author ?? "",
            Architecture = config?.Architecture ?? "",
            Os = config?.Os ?? "",
            Size = image.Size,
            VirtualSize = image.Size,
            GraphDriver = GraphDriver(image),
            RootFS = new InspectRootFs { Type = config?.RootFs.Type ?? "layers", Layers = config?.RootFs.DiffIds ?? [] },
            Labels = c?.Labels is { Count: > 0 } imageLabels ? imageLabels : null,
            ManifestType = ManifestType(image),
            User = c?.User ?? "",
            History = [.. (config?.History ?? []).Select(h => new InspectImageHistory
            {
                Created = h.Created?.ToUniversalTime(),
                CreatedBy = h.CreatedBy,
                Comment = h.Comment,
                EmptyLayer = h.EmptyLayer == true,
            })],
            NamesHistory = [.. image.Names],
        };
    }

    /// <summary>podman's: the top layer's diff as UpperDir (and its work dir), the layers under it as LowerDir, top first.</summary>
    private InspectGraphDriver GraphDriver(ImageRecord image)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        var dirs = image.Layers.AsEnumerable().Reverse().Select(l => images.Store.LayerDiffPath(Digest.Parse(l))).ToList();
        if (dirs.Count > 1) data["LowerDir"] = string.Join(':', dirs.Skip(1));
        if (dirs.Count > 0)
        {
            data["UpperDir"] = dirs[0];
            data["WorkDir"] = Path.Combine(Path.GetDirectoryName(dirs[0])!, "work");
        }
        return new InspectGraphDriver { Name = "overlay", Data = data };
    }

    private string ManifestType(ImageRecord image)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize(images.Store.ReadBlob(Digest.Parse(image.ManifestDigest)), ImageJsonContext.Default.ImageManifest);
            return manifest?.MediaType ?? MediaTypes.OciManifest;
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException)
        {
            return MediaTypes.OciManifest;
        }
    }

    /// <summary>A name without its tag: "host/repo:tag" → "host/repo".</summary>
    private static string RepoOf(string name)
    {
        if (ImageReference.TryParse(name, out var reference) && reference is not null) return reference.Name;
        int colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
