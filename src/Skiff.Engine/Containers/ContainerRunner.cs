using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Skiff.Engine.Configuration;
using Skiff.Engine.Images;
using Skiff.Engine.Processes;
using Skiff.Engine.Runtime;
using Skiff.Interop;
using Skiff.Oci.Image;
using Skiff.Oci.Runtime;
using Skiff.Storage;

namespace Skiff.Engine.Containers;

/// <summary>
/// `skiff run` in the foreground: image → container layer on overlayfs → OCI bundle → runtime create/start →
/// wait as the subreaper of the container's init → runtime delete → clean up. The container's exit code is returned.
/// </summary>
public sealed class ContainerRunner(SkiffPaths paths, ImageService images)
{
    public async Task<int> RunAsync(RunOptions options, CancellationToken cancellationToken = default)
    {
        using var interrupt = new EarlyInterrupt(cancellationToken);
        try
        {
            return await RunAsync(options, interrupt).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.Signal != 0)
        {
            return 128 + interrupt.Signal;
        }
    }

    private async Task<int> RunAsync(RunOptions options, EarlyInterrupt interrupt)
    {
        var cancellationToken = interrupt.Token;
        var runtime = OciRuntime.Locate(options.Runtime, paths.RunRoot);
        var envFileLines = ReadEnvFiles(options.EnvFiles);
        string id = NewId();
        var containers = new ContainerStore(paths);
        ImageRecord image;
        ImageConfigFile? imageConfig;
        string name;
        // Once the container is recorded, rmi refuses its image; until then no removal may run.
        using (images.Store.AcquireUseLock())
        {
            image = await images.ResolveForRunAsync(options.Image, options.TlsVerify, cancellationToken).ConfigureAwait(false);
            imageConfig = images.ReadConfig(image);
            name = containers.Reserve(id, options.Name, image, SpecGenerator.Arguments(options, imageConfig?.Config));
        }
        var layers = new ContainerLayerStore(paths.GraphRoot);
        string bundle = Path.Combine(paths.BundlesRoot, id);
        bool mounted = false, created = false;
        string merged = "";
        try
        {
            var layer = layers.Create(id);
            merged = layer.Merged;
            var lowerTopFirst = image.Layers.AsEnumerable().Reverse().Select(l => images.Store.LayerDiffPath(Oci.Digest.Parse(l))).ToList();
            layers.Mount(merged, layers.OverlayMountOptions(lowerTopFirst, layer.Upper, layer.Work));
            mounted = true;

            // podman refuses a working directory the user named that the image lacks (the image's own is created).
            if (!string.IsNullOrEmpty(options.WorkingDir) && !Directory.Exists(RootedPath.Resolve(merged, options.WorkingDir)))
                throw new EngineException($"workdir \"{options.WorkingDir}\" does not exist on container {id}", ExitCodes.CannotInvoke);
            var user = ContainerUser.Resolve(options.User ?? imageConfig?.Config?.User,
                ReadSmall(merged, "etc/passwd"), ReadSmall(merged, "etc/group"));
            Directory.CreateDirectory(bundle);
            string hostname = options.Hostname ?? id[..12];
            var bindFiles = WriteEtcFiles(bundle, hostname);
            var spec = SpecGenerator.Generate(options, new SpecInputs
            {
                ContainerId = id,
                RootfsPath = merged,
                ImageConfig = imageConfig?.Config,
                User = user,
                EnvFileLines = envFileLines,
                BindFiles = bindFiles,
                HardLimit = HardLimit,
                Rootless = paths.Rootless,
                CgroupNamespace = CgroupHost.PrivateCgroupNamespace,
                CgroupV2 = CgroupHost.IsUnified,
                HostDevices = () => Security.HostDevices.List(),
            });
            File.WriteAllBytes(Path.Combine(bundle, "config.json"), JsonSerializer.SerializeToUtf8Bytes(spec, RuntimeJsonContext.Default.Spec));

            if (!options.Interactive) Libc.DetachStdin();
            Libc.BecomeSubreaper();
            string pidFile = Path.Combine(bundle, "pidfile");
            string runtimeLog = Path.Combine(bundle, "runtime.log");
            interrupt.ThrowIfInterrupted();
            int rc = runtime.Create(id, bundle, pidFile, runtimeLog);
            if (rc != 0)
            {
                runtime.Delete(id, force: true);
                return CreateFailureExitCode(runtime, rc, runtimeLog);
            }
            created = true;
            int pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
            int exitCode;
            using (SignalForwarder.To(pid))
            {
                interrupt.Dispose();
                if (interrupt.Signal != 0) Libc.Kill(pid, interrupt.Signal); // caught while creating: the container gets it
                containers.SetRunning(id, pid, runtime.Path);
                if (runtime.Start(id) != 0)
                {
                    Libc.Kill(pid, 9);
                    Libc.WaitPid(pid, out _);
                    throw new EngineException($"the OCI runtime failed to start container {name}");
                }
                exitCode = WaitExitCode(pid);
            }
            containers.SetExited(id, exitCode);
            return exitCode;
        }
        finally
        {
            if (created) runtime.Delete(id, force: true);
            if (mounted) layers.Unmount(merged);
            if (options.Remove)
            {
                TryDelete(bundle);
                layers.Remove(id);
                containers.Remove(id);
            }
        }
    }

    /// <summary>Our runtime exits 127/126 for a missing or non-executable command; other runtimes only say so in words.</summary>
    private static int CreateFailureExitCode(OciRuntime runtime, int rc, string logFile)
    {
        if (runtime.IsSkiffRuntime && rc is ExitCodes.NotFound or ExitCodes.CannotInvoke) return rc;
        if (!runtime.IsSkiffRuntime && File.Exists(logFile)
            && OciRuntime.ClassifyCreateFailure(File.ReadAllText(logFile)) is var code and not ExitCodes.EngineError)
            return code; // the runtime has already said why on stderr
        throw new EngineException($"the OCI runtime {Path.GetFileName(runtime.Path)} failed to create the container (exit code {rc})");
    }

    private static ulong HardLimit(int resource) => Libc.HardLimit(resource);

    private static int WaitExitCode(int pid)
    {
        Libc.WaitPid(pid, out int status);
        return ProcessExit.Decode(status);
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static List<string> ReadEnvFiles(IReadOnlyList<string> files)
    {
        var lines = new List<string>();
        foreach (string f in files)
        {
            string text;
            try { text = File.ReadAllText(f); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EngineException($"reading env file \"{f}\": {e.Message}");
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

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
