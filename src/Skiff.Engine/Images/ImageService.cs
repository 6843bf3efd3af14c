using System.Text.Json;
using Skiff.Engine.Configuration;
using Skiff.Images.Pull;
using Skiff.Images.References;
using Skiff.Images.Registries;
using Skiff.Oci;
using Skiff.Oci.Image;
using Skiff.Storage;
using Skiff.Storage.Images;

namespace Skiff.Engine.Images;

/// <summary>The engine's view of images: local lookup with podman's rules, pulling, listing, removal.</summary>
public sealed class ImageService
{
    private readonly Lazy<RegistriesConfig> _registries;

    public ImageService(SkiffPaths paths)
    {
        Paths = paths;
        Store = new ImageStore(paths.GraphRoot);
        _registries = new Lazy<RegistriesConfig>(() => RegistriesConfigLoader.Load());
    }

    public SkiffPaths Paths { get; }
    public ImageStore Store { get; }

    /// <summary>Pulls an image (progress on stderr unless <paramref name="quiet"/>) and returns what was stored.</summary>
    public async Task<ImageSummary> PullAsync(string input, bool? tlsVerify, bool quiet, CancellationToken cancellationToken)
        => await PullAsync(input, tlsVerify, quiet, PullSettings.Default, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="PullAsync(string, bool?, bool, CancellationToken)"/>, with podman's --retry and --retry-delay.</summary>
    public async Task<ImageSummary> PullAsync(string input, bool? tlsVerify, bool quiet, PullSettings settings, CancellationToken cancellationToken)
        => ImageSummary.From(await PullRecordAsync(input, tlsVerify, quiet, settings, cancellationToken).ConfigureAwait(false));

    private async Task<ImageRecord> PullRecordAsync(string input, bool? tlsVerify, bool quiet, PullSettings settings, CancellationToken cancellationToken)
    {
        Store.FreeSpaceReserve = PullSettings.Reserve;
        var image = await new ImagePuller(Store, _registries.Value).PullAsync(input, new PullOptions
        {
            TlsVerify = tlsVerify,
            Quiet = quiet,
            Progress = quiet ? null : Console.Error,
            Retry = settings.Retry,
            RetryDelay = settings.RetryDelay,
            ConnectTimeout = PullSettings.ConnectTimeout,
            IdleTimeout = PullSettings.IdleTimeout,
        }, cancellationToken).ConfigureAwait(false);
        Events.EventLog.For(Paths).Image("pull", image.Id, input);
        return image;
    }

    /// <summary>
    /// The image for a new container under podman's pull policies: "missing" (the default) pulls only when there is
    /// no local image, "always" and "newer" ask the registry each time (a pull of an unchanged image fetches only the
    /// manifest), "never" uses only what is local.
    /// </summary>
    public async Task<ImageRecord> ResolveForRunAsync(string input, bool? tlsVerify, string? pullPolicy, CancellationToken cancellationToken)
    {
        switch (PullPolicy(pullPolicy))
        {
            case "always":
            case "newer":
                return await PullRecordAsync(input, tlsVerify, quiet: false, PullSettings.Default, cancellationToken).ConfigureAwait(false);
            case "never":
                return FindLocal(input) ?? throw new EngineException($"{input}: image not known");
            default:
                return FindLocal(input) ?? await PullRecordAsync(input, tlsVerify, quiet: false, PullSettings.Default, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A --pull value in podman's spellings (true and false too), as one of missing, always, never, newer.</summary>
    public static string PullPolicy(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "missing" or "ifmissing" => "missing",
        "always" or "true" => "always",
        "never" or "false" => "never",
        "newer" or "ifnewer" => "newer",
        _ => throw new EngineException($"unsupported pull policy \"{value}\": use always, missing, never or newer"),
    };

    /// <summary>The local images, newest first (as podman lists them).</summary>
    public IReadOnlyList<ImageSummary> List()
        => [.. Store.ListImages().OrderByDescending(i => i.Created).Select(ImageSummary.From)];

    /// <summary>How many images are stored: 0 when the store was never created (and it is not created here).</summary>
    public int Count() => Directory.Exists(Paths.GraphRoot) ? Store.ListImages().Count : 0;

    /// <summary>Removes images by name or id with podman's rules (see <see cref="ImageRemover"/>), one report per input.</summary>
    public IEnumerable<ImageRemoval> Remove(IEnumerable<string> inputs, bool force) => new ImageRemover(this).Remove(inputs, force);

    /// <summary>
    /// podman's tag: adds each target (normalised, see <see cref="ImageNames"/>) to the image's names, in order, each
    /// in one locked write of the store (a name another image holds moves to this one); stops at the first target
    /// that is refused, keeping those before it, as podman does.
    /// </summary>
    public void Tag(string input, IReadOnlyList<string> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var image = FindLocal(input) ?? throw new EngineException($"{input}: image not known", ErrorKind.NoSuchObject);
        foreach (string target in targets)
        {
            string name = ImageNames.Normalize(target);
            if (name.Contains('@', StringComparison.Ordinal)) throw new EngineException($"{target}: tag by digest not supported");
            Store.AddName(image.Id, name);
            Events.EventLog.For(Paths).Image("tag", image.Id, target);
        }
    }

    /// <summary>
    /// podman's untag: takes each name (normalised) off the image, in order, refusing a name it does not hold
    /// ("tag not known"); with no names, takes all its names off. The image stays, with no name if none is left.
    /// </summary>
    public void Untag(string input, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var image = FindLocal(input) ?? throw new EngineException($"{input}: image not known", ErrorKind.NoSuchObject);
        var events = Events.EventLog.For(Paths);
        if (names.Count == 0)
        {
            foreach (string removed in Store.RemoveNames(image.Id, null)) events.Image("untag", image.Id, removed);
            return;
        }
        foreach (string n in names)
        {
            string name = ImageNames.Normalize(n);
            if (Store.RemoveNames(image.Id, [name]).Count == 0) throw new EngineException($"{name}: tag not known", ErrorKind.NoSuchObject);
            events.Image("untag", image.Id, name);
        }
    }

    /// <summary>podman's history: the config's history entries, newest first (see <see cref="ImageHistoryEntry"/>).</summary>
    public IReadOnlyList<ImageHistoryEntry> History(string input)
        => ImageHistoryEntry.Of(this, FindLocal(input) ?? throw new EngineException($"{input}: image not known", ErrorKind.NoSuchObject));

    /// <summary>
    /// podman's image prune: removes the dangling images (no name), or with <paramref name="all"/> every image, that
    /// no container uses; the check and the removal are one step under the store's use lock (as rmi's), so a
    /// container created meanwhile keeps its image. Returns the ids removed, in store order.
    /// </summary>
    public IReadOnlyList<string> Prune(bool all)
    {
        var containers = new Containers.ContainerStore(Paths);
        var events = Events.EventLog.For(Paths);
        var removed = new List<string>();
        foreach (var image in Store.ListImages().Where(i => all || i.Names.Count == 0))
        {
            try
            {
                Store.RemoveImage(image.Id, () =>
                {
                    if (containers.UsingImage(image.Id).Any())
                        throw new EngineException($"image {image.Id} is in use by a container", ErrorKind.InUse);
                });
            }
            catch (EngineException e) when (e.Kind == ErrorKind.InUse)
            {
                continue; // a container uses it: kept
            }
            catch (ImageNotFoundException)
            {
                continue; // removed by someone else meanwhile
            }
            foreach (string name in image.Names) events.Image("untag", image.Id, name);
            events.Image("remove", image.Id, image.Names.FirstOrDefault() ?? image.Id);
            removed.Add(image.Id);
        }
        return removed;
    }

    /// <summary>podman's image exists: a local image by any name FindLocal accepts; a name that breaks the grammar is an error.</summary>
    public bool Exists(string input)
    {
        if (FindLocal(input) is not null) return true;
        if (input.Length > 0)
        {
            try { ImageReference.Parse(input); }
            catch (InvalidReferenceException e) { throw new EngineException(ImageNames.Reason(e)); }
        }
        return false;
    }

    /// <summary>
    /// Finds a local image as podman does: by id or id prefix, by full name (":latest" implied), as
    /// "localhost/NAME", and a short name by the last components of any local name ("busybox" finds
    /// "127.0.0.1:5000/library/busybox:latest").
    /// </summary>
    public ImageRecord? FindLocal(string input)
    {
        if (Store.FindImage(input) is { } exact) return exact;
        if (ImageReference.TryParse(input, out var reference) && Store.FindImage($"{reference}") is { } normalised)
            return normalised;
        if (input.Contains('@', StringComparison.Ordinal)) return null;
        // A tag is a ':' after the last '/' (a ':' before it belongs to a registry's port).
        string wanted = input.LastIndexOf(':') > input.LastIndexOf('/') ? input : input + ":latest";
        return Store.ListImages().FirstOrDefault(i => i.Names.Any(n => n.EndsWith("/" + wanted, StringComparison.Ordinal)));
    }

    public ImageConfigFile? ReadConfig(ImageRecord image)
        => JsonSerializer.Deserialize(Store.ReadBlob(Digest.Parse(image.ConfigDigest)), ImageJsonContext.Default.ImageConfigFile);
}
