using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Engine.Runtime;
using Skiff.Engine.Volumes;
using Skiff.Interop;
using Skiff.Oci.Image;
using Skiff.Oci.Runtime;
using Skiff.Storage;
using Skiff.Storage.Locking;

namespace Skiff.Engine.Lifecycle;

/// <summary>
/// The create stage shared by `create` and `run`: image → record → container layer mounted on overlayfs →
/// OCI bundle (config.json, /etc files) under the graph root. The record stays "configured" until the bundle is
/// complete, so a create killed half-way is visible to `ps -a` and removed whole by `rm`.
/// </summary>
public sealed class ContainerCreator(SkiffPaths paths, ImageService images)
{
    public async Task<ContainerRecord> CreateAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var policy = RestartPolicy.Parse(options.Restart);
        int stopSignal = options.StopSignal is { } s ? SignalNames.TryParse(s) ?? throw new EngineException($"invalid signal: {s}") : 15;
        var labels = Labels.Parse(options.Labels);
        var (logDriver, logMaxSize) = ParseLogOptions(options.LogDriver, options.LogOpts);
        if (options.Remove && policy.Name != "no") throw new EngineException("the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
        var runtime = OciRuntime.Locate(options.Runtime, paths.RunRoot);
        var envFileLines = ReadEnvFiles(options.EnvFiles);
        ImageService.PullPolicy(options.Pull);
        var userNs = UserNamespaceMode.Parse(options.UserNs, paths.Rootless);
        var keepIdMaps = userNs.KeepId ? OwnKeepIdMaps(userNs) : null;
        if (options.CidFile is { } cidFile && File.Exists(cidFile))
            throw new EngineException($"container id file exists. Ensure another container is not using it or delete {cidFile}");
        // Bad mount specs, missing bind sources and bad volume names fail before anything is created.
        var mountPlan = ContainerVolumes.Plan(MountSpecs.Parse(options.Volumes, options.Mounts, options.Tmpfs));
        string id = NewId();
        var containers = new ContainerStore(paths);
        ImageRecord image;
        ImageConfigFile? imageConfig;
        IDisposable useLock;
        // The image is found (or pulled: its registry may take long) with no lock held, so that it blocks no rmi. Then,
        // from finding it again to recording the container (which rmi sees), no removal may run.
        for (int attempt = 0; ; attempt++)
        {
            var resolved = await images.ResolveForRunAsync(options.Image, options.TlsVerify, options.Pull, cancellationToken).ConfigureAwait(false);
            var use = images.Store.AcquireUseLock();
            if (images.Store.FindImage(resolved.Id) is { } still)
            {
                image = still;
                useLock = use;
                break;
            }
            use.Dispose();
            if (attempt == 2) throw new EngineException($"{options.Image}: image not known (it was removed while the container was being created)", ErrorKind.NoSuchObject);
        }
        using (useLock)
        {
            imageConfig = images.ReadConfig(image);
            containers.Reserve(id, options.Name, image, SpecGenerator.Arguments(options, imageConfig?.Config), r =>
            {
                r.AutoRemove = options.Remove;
                r.Terminal = options.Tty;
                r.Stdin = options.Interactive;
                r.RestartPolicy = policy.Name;
                r.RestartRetries = policy.MaxRetries;
                r.StopSignal = stopSignal;
                r.StopTimeout = options.StopTimeout ?? 10;
                r.Labels = labels;
                r.LogDriver = logDriver;
                r.LogMaxSize = logMaxSize;
                r.Runtime = runtime.Path;
                // Recorded before the volumes are made: from now on `volume rm` and `prune` see them as in use.
                r.Volumes = [.. mountPlan.Where(m => m.Volume is not null).Select(m => m.Volume!).Distinct()];
                r.AnonymousVolumes = [.. mountPlan.Where(m => m.Anonymous).Select(m => m.Volume!)];
                (r.Entrypoint, r.Cmd) = SpecGenerator.EntrypointAndCmd(options, imageConfig?.Config);
                r.User = options.User ?? "";
                r.UserNs = options.UserNs ?? "";
                r.CreateCommand = [.. options.CreateCommand];
            });
        }
        var files = new ContainerFiles(paths, id);
        try
        {
            string merged = ContainerMounts.Mount(paths, images, id, image, keepIdMaps);
            // podman refuses a working directory the user named that the image lacks (the image's own is created).
            if (!string.IsNullOrEmpty(options.WorkingDir) && !Directory.Exists(RootedPath.Resolve(merged, options.WorkingDir))
                && !mountPlan.Any(m => Under(MountSpecs.Clean(options.WorkingDir), m.Request.CleanDestination)))
                throw new EngineException($"workdir \"{options.WorkingDir}\" does not exist on container {id}", ErrorKind.CannotInvoke);
            string? imagePasswd = ReadSmall(merged, "etc/passwd"), imageGroup = ReadSmall(merged, "etc/group");
            var keepIdUser = keepIdMaps is null ? null : KeepIdUser.Make(userNs, keepIdMaps.HostUid, keepIdMaps.HostGid,
                ReadHostFile("/etc/passwd"), ReadHostFile("/etc/group"), imagePasswd, imageGroup,
                !string.IsNullOrEmpty(options.WorkingDir) ? options.WorkingDir : imageConfig?.Config?.WorkingDir is { Length: > 0 } w ? w : "/",
                dir => mountPlan.Any(m => m.Request.CleanDestination == dir) || Directory.Exists(RootedPath.Resolve(merged, dir)));
            // keep-id: the process runs as the user (or keep-id's uid=, gid=) unless -u names another.
            var user = keepIdUser is not null && options.User is null ? keepIdUser.User
                : ContainerUser.Resolve(options.User ?? imageConfig?.Config?.User, imagePasswd, imageGroup);
            Directory.CreateDirectory(files.Bundle);
            string hostname = options.Hostname ?? id[..12];
            var bindFiles = WriteEtcFiles(files.Bundle, hostname);
            if (keepIdUser?.PasswdLine is { } passwdLine) bindFiles["/etc/passwd"] = WriteBundleFile(files.Bundle, "passwd", KeepIdUser.Append(imagePasswd, passwdLine));
            if (keepIdUser?.GroupLine is { } groupLine) bindFiles["/etc/group"] = WriteBundleFile(files.Bundle, "group", KeepIdUser.Append(imageGroup, groupLine));
            // Files of the engine show as root's in the container's own user namespace too.
            if (keepIdMaps is not null)
                foreach (string file in bindFiles.Values)
                    Libc.Lchown(file, KeepIdMaps.Outside(keepIdMaps.Uids, 0), KeepIdMaps.Outside(keepIdMaps.Gids, 0));
            var userMounts = new ContainerVolumes(new VolumeService(paths)).Prepare(mountPlan, merged, user, Path.Combine(files.Layer.Dir, "volume-overlays"));
            var spec = SpecGenerator.Generate(options, new SpecInputs
            {
                UserMounts = userMounts,
                ContainerId = id,
                RootfsPath = merged,
                ImageConfig = imageConfig?.Config,
                User = user,
                EnvFileLines = envFileLines,
                BindFiles = bindFiles,
                HardLimit = r => Libc.HardLimit(r),
                Rootless = paths.Rootless,
                CgroupNamespace = CgroupHost.PrivateCgroupNamespace,
                CgroupV2 = CgroupHost.IsUnified,
                HostDevices = () => Security.HostDevices.List(),
                InitBinaryPath = options.Init ? InitBinary.Prepare(paths, options.InitPath) : null,
                UserNamespace = keepIdMaps,
            });
            AtomicFile.WriteAllBytes(Path.Combine(files.Bundle, "config.json"), JsonSerializer.SerializeToUtf8Bytes(spec, RuntimeJsonContext.Default.Spec));
            if (options.CidFile is { } cid) WriteCidFile(cid, id);
            var created = containers.Update(id, r => r.State = ContainerStates.Created)
                ?? throw new EngineException($"container {id} was removed while it was being created");
            Events.EventLog.For(paths).Container(created, "create");
            return created;
        }
        catch
        {
            new ContainerLifecycle(paths, images).RemoveQuietly(id);
            throw;
        }
    }

    /// <summary>
    /// keep-id's maps, from the rootless namespace this runs in (/proc/self/uid_map and gid_map: 0 is the user's own id on
    /// the host, then the subordinate ids): the container's uid is the user's, or keep-id's uid=.
    /// </summary>
    private static KeepIdMaps OwnKeepIdMaps(UserNamespaceMode mode)
    {
        var (hostUid, uidSize) = KeepIdMaps.ParseOwnMap(File.ReadAllText("/proc/self/uid_map"));
        var (hostGid, gidSize) = KeepIdMaps.ParseOwnMap(File.ReadAllText("/proc/self/gid_map"));
        return KeepIdMaps.Make(mode.Uid ?? hostUid, mode.Gid ?? hostGid, uidSize, gidSize) with { HostUid = hostUid, HostGid = hostGid };
    }

    private static string? ReadHostFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static string WriteBundleFile(string bundle, string name, string text)
    {
        string path = Path.Combine(bundle, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>--cidfile: the id, in a file that must not exist (podman's check, made again here against a race).</summary>
    private static void WriteCidFile(string path, string id)
    {
        try
        {
            using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            f.Write(Encoding.ASCII.GetBytes(id));
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new EngineException($"container id file exists. Ensure another container is not using it or delete {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"opening cidfile {path}: {UserMessages.Of(e)}");
        }
    }

    private static bool Under(string path, string dir) => path == dir || dir == "/" || path.StartsWith(dir + "/", StringComparison.Ordinal);

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));


    private static (string Driver, long MaxSize) ParseLogOptions(string? driver, IReadOnlyList<string> opts)
    {
        driver ??= "k8s-file";
        if (driver is not ("k8s-file" or "none" or "passthrough"))
            throw new EngineException($"invalid log driver: {driver}: use k8s-file, none or passthrough");
        long maxSize = -1;
        foreach (string o in opts)
        {
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? o : o[..eq], value = eq < 0 ? "" : o[(eq + 1)..];
            maxSize = key switch
            {
                "max-size" => ResourceFlags.Bytes("--log-opt max-size", value),
                _ => throw new EngineException($"unknown log option \"{key}\": Skiff knows max-size"),
            };
        }
        return (driver, maxSize);
    }

    /// <summary>The lines of --env-file files (KEY=VALUE, or KEY to copy ours), in order; a file that cannot be read is an error naming it.</summary>
    internal static List<string> ReadEnvFiles(IReadOnlyList<string> files)
    {
        var lines = new List<string>();
        foreach (string f in files)
        {
            string text;
            try { text = File.ReadAllText(f); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EngineException($"reading env file \"{f}\": {ErrorText.Of(e)}");
            }
            lines.AddRange(SpecGenerator.ParseEnvFile(text));
        }
        return lines;
    }

    /// <summary>
    /// Reads the image's /etc/passwd or /etc/group from the host side. The image is untrusted: a symlink in any
    /// component, a FIFO or device, or more than 1 MiB makes the file count as absent (numeric -u still works).
    /// </summary>
    internal static string? ReadSmall(string rootfs, string relative)
    {
        const int Max = 1 << 20;
        string path = rootfs;
        foreach (string part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = Path.Combine(path, part);
            if (new FileInfo(path).LinkTarget is not null) return null;
        }
        SafeFd fd;
        try { fd = Libc.OpenFd(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_NOCTTY); }
        catch (ErrnoException) { return null; }
        using (fd)
        {
            if (!File.Exists(path) || (File.GetAttributes(path) & FileAttributes.Directory) != 0) return null;
            try
            {
                byte[] bytes = Libc.ReadToEnd(fd.Fd, Max + 1);
                return bytes.Length > Max ? null : Encoding.UTF8.GetString(bytes);
            }
            catch (ErrnoException) { return null; } // EAGAIN from a FIFO or device with nothing to read
        }
    }

    /// <summary>/etc/hostname, /etc/hosts and /etc/resolv.conf for the container, bind-mounted from the bundle.</summary>
    private static Dictionary<string, string> WriteEtcFiles(string bundle, string hostname)
    {
        string hostnameFile = Path.Combine(bundle, "hostname"), hostsFile = Path.Combine(bundle, "hosts"), resolvFile = Path.Combine(bundle, "resolv.conf");
        File.WriteAllText(hostnameFile, hostname + "\n");
        File.WriteAllText(hostsFile, $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t{hostname}\n");
        var resolv = new StringBuilder();
        try
        {
            foreach (string line in File.ReadLines("/etc/resolv.conf"))
                if (!line.TrimStart().StartsWith("nameserver 127.", StringComparison.Ordinal)) resolv.AppendLine(line);
        }
        catch (IOException)
        {
            // no resolver configuration on the host: the container gets an empty one
        }
        File.WriteAllText(resolvFile, resolv.ToString());
        return new Dictionary<string, string> { ["/etc/hostname"] = hostnameFile, ["/etc/hosts"] = hostsFile, ["/etc/resolv.conf"] = resolvFile };
    }
}

/// <summary>--restart: podman's policies and on-failure's optional maximum.</summary>
public sealed record RestartPolicy(string Name, int MaxRetries)
{
    public static RestartPolicy Parse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text == "no") return new("no", 0);
        string name = text, count = "";
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) (name, count) = (text[..colon], text[(colon + 1)..]);
        if (name is not ("on-failure" or "always" or "unless-stopped"))
            throw new EngineException($"invalid restart policy \"{text}\": use no, on-failure[:max-retries], always or unless-stopped");
        if (colon < 0) return new(name, 0);
        if (name != "on-failure") throw new EngineException($"restart policy retries can only be given with on-failure: \"{text}\"");
        return int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? new(name, n) : throw new EngineException($"invalid restart policy \"{text}\": the retry count must be a number");
    }
}
