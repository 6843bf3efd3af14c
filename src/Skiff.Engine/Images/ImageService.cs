using System.Text.Json;
using Skiff.Engine.Configuration;
using Skiff.Images.Archives;
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

    /// <summary>
    /// podman's save: the images <paramref name="inputs"/> name, in <paramref name="format"/>, to <paramref name="output"/>
    /// (a path) or to <paramref name="stdout"/>. Without <paramref name="multiImage"/> only the first image is saved,
    /// and in a docker-archive the other inputs become more of its RepoTags, as podman 4 does (theirs first).
    /// </summary>
    public void Save(IReadOnlyList<string> inputs, ArchiveFormat format, bool multiImage, string? output, Stream stdout, bool quiet)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new EngineException("need at least 1 argument");
        if (format == ArchiveFormat.DockerArchive && output is not null && File.Exists(output) && new FileInfo(output).Length > 0)
            throw new EngineException("docker-archive doesn't support modifying existing images");
        var items = new List<SaveItem>();
        if (multiImage && inputs.Count > 1 && format != ArchiveFormat.DockerArchive)
            throw new EngineException($"unsupported format \"{ArchiveFormats.Name(format)}\" for saving multiple images (only docker-archive)");
        if (multiImage)
        {
            foreach (string input in inputs)
            {
                var image = FindLocal(input) ?? throw new EngineException($"{input}: image not known", ErrorKind.NoSuchObject);
                string? name = MatchedName(input, image);
                int at = items.FindIndex(i => i.Image.Id == image.Id);
                if (at < 0) items.Add(new SaveItem(image, name is null ? [] : [name]));
                else if (name is not null && !items[at].Names.Contains(name)) items[at] = items[at] with { Names = [.. items[at].Names, name] };
            }
        }
        else
        {
            var image = FindLocal(inputs[0]) ?? throw new EngineException($"{inputs[0]}: image not known", ErrorKind.NoSuchObject);
            var names = new List<string>();
            if (format == ArchiveFormat.DockerArchive)
                foreach (string extra in inputs.Skip(1))
                    if ((FindLocal(extra) is { } other ? MatchedName(extra, other) : ImageNames.Normalize(extra)) is { } n) names.Add(n);
            if (MatchedName(inputs[0], image) is { } first) names.Add(first);
            if (format != ArchiveFormat.DockerArchive && names.Count > 1) names = [names[^1]];
            items.Add(new SaveItem(image, names.Distinct(StringComparer.Ordinal).ToList()));
        }
        try
        {
            new ImageSaver(Store) { Progress = quiet ? null : Console.Error }.Save(items, format, output, stdout);
        }
        catch (ArchiveException e)
        {
            throw new EngineException(e.Message, e);
        }
    }

    /// <summary>The name of <paramref name="image"/> that <paramref name="input"/> found it by (as <see cref="FindLocal"/>); null for an id.</summary>
    private static string? MatchedName(string input, ImageRecord image)
    {
        if (image.Names.Contains(input, StringComparer.Ordinal)) return input;
        if (ImageReference.TryParse(input, out var reference) && image.Names.Contains($"{reference}", StringComparer.Ordinal))
            return $"{reference}";
        if (image.Id.StartsWith(input, StringComparison.Ordinal) || input.StartsWith("sha256:", StringComparison.Ordinal)) return null;
        string wanted = input.LastIndexOf(':') > input.LastIndexOf('/') ? input : input + ":latest";
        return image.Names.FirstOrDefault(n => n.EndsWith("/" + wanted, StringComparison.Ordinal));
    }

    /// <summary>
    /// podman's load: the docker-archive or oci-archive at <paramref name="input"/>, or read from <paramref name="stdin"/>
    /// (spooled to a temp file inside the store first); returns what podman prints, one "Loaded image: NAME" per name
    /// (sha256:ID for an image without one).
    /// </summary>
    public async Task<IReadOnlyList<string>> LoadAsync(string? input, Stream stdin, bool quiet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        var loader = new ImageLoader(Store) { Progress = quiet ? null : Console.Error };
        IReadOnlyList<ImageRecord> images;
        try
        {
            if (input is not null)
            {
                if (Directory.Exists(input)) throw new EngineException($"{input}: loading a directory (oci-dir, docker-dir) is not supported");
                if (!File.Exists(input)) throw new EngineException($"stat {input}: no such file or directory");
                images = await loader.LoadAsync(input, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                using var tmp = Store.CreateTempDirectory();
                string spool = Path.Combine(tmp.Path, "archive.tar");
                await using (var fs = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    await stdin.CopyToAsync(fs, cancellationToken).ConfigureAwait(false);
                images = await loader.LoadAsync(spool, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ArchiveException e)
        {
            throw new EngineException(e.Message, e);
        }
        var events = Events.EventLog.For(Paths);
        var lines = new List<string>();
        foreach (var image in images)
        {
            events.Image("loadfromarchive", image.Id, image.Names.FirstOrDefault() ?? image.Id);
            if (image.Names.Count == 0) lines.Add($"Loaded image: sha256:{image.Id}");
            foreach (string name in image.Names) lines.Add($"Loaded image: {name}");
        }
        return lines;
    }

    public ImageConfigFile? ReadConfig(ImageRecord image)
        => JsonSerializer.Deserialize(Store.ReadBlob(Digest.Parse(image.ConfigDigest)), ImageJsonContext.Default.ImageConfigFile);
}
