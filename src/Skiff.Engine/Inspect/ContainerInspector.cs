using System.Globalization;
using System.Text.Json;
using Skiff.Engine.Configuration;
using Skiff.Engine.Containers;
using Skiff.Engine.Images;
using Skiff.Engine.Lifecycle;
using Skiff.Engine.Security;
using Skiff.Oci.Runtime;
using Skiff.Storage;

namespace Skiff.Engine.Inspect;

/// <summary>
/// Builds a container's <see cref="InspectContainerData"/> from what the engine keeps: its record (state, names,
/// policies), its OCI config.json (process, capabilities, resources, mounts), its layer and its image.
/// </summary>
public sealed class ContainerInspector(SkiffPaths paths, ImageService images)
{
    private static readonly string[] ReadOnlyTmpfs = ["/run", "/tmp", "/var/tmp"];

    /// <param name="record">The container as it is now (refreshed).</param>
    /// <param name="size">-s: also SizeRw and SizeRootFs (walks the container's layer).</param>
    public InspectContainerData Inspect(ContainerRecord record, bool size)
    {
        ArgumentNullException.ThrowIfNull(record);
        var files = new ContainerFiles(paths, record.Id);
        var spec = ReadSpec(Path.Combine(files.Bundle, "config.json"));
        var image = images.Store.FindImage(record.ImageId);
        var process = spec?.Process;
        bool live = record.State is ContainerStates.Running or ContainerStates.Initialized;
        var bounding = Sorted(process?.Capabilities?.Bounding);
        var resources = spec?.Linux?.Resources;
        bool privileged = bounding.Count == CapabilitySet.All.Count && spec?.Linux?.Seccomp is null;

        var data = new InspectContainerData
        {
            Id = record.Id,
            Created = record.Created.ToUniversalTime(),
            Path = record.Command.FirstOrDefault() ?? "",
            Args = record.Command.Count > 1 ? [.. record.Command.Skip(1)] : [.. record.Command], // podman's: a lone program is its own argument
            State = new InspectContainerState
            {
                OciVersion = spec?.OciVersion ?? "",
                Status = ContainerLifecycle.StateWord(record.State),
                Running = record.State == ContainerStates.Running,
                Pid = live ? record.Pid ?? 0 : 0,
                ConmonPid = live ? record.MonitorPid ?? 0 : 0,
                ExitCode = record.ExitCode ?? 0,
                StartedAt = (record.StartedAt ?? DateTimeOffset.MinValue).ToUniversalTime(),
                FinishedAt = (record.FinishedAt ?? DateTimeOffset.MinValue).ToUniversalTime(),
                CgroupPath = record.State == ContainerStates.Running ? spec?.Linux?.CgroupsPath : null,
                CheckpointedAt = DateTimeOffset.MinValue,
                RestoredAt = DateTimeOffset.MinValue,
            },
            Image = record.ImageId,
            ImageDigest = image?.ManifestDigest ?? "",
            ImageName = record.ImageName,
            ResolvConfPath = Path.Combine(files.Bundle, "resolv.conf"),
            HostnamePath = Path.Combine(files.Bundle, "hostname"),
            HostsPath = Path.Combine(files.Bundle, "hosts"),
            StaticDir = files.Bundle,
            OCIConfigPath = Path.Combine(files.Bundle, "config.json"),
            OCIRuntime = Path.GetFileName(record.Runtime ?? "skiff-runtime"),
            PidFile = files.PidFile,
            Name = record.Name,
            RestartCount = record.RestartCount,
            EffectiveCaps = Sorted(process?.Capabilities?.Effective),
            BoundingCaps = bounding,
            GraphDriver = GraphDriver(record, image, files.Layer),
            Config = new InspectContainerConfig
            {
                Hostname = spec?.Hostname ?? record.Id[..Math.Min(12, record.Id.Length)],
                Domainname = spec?.Domainname ?? "",
                User = record.User,
                Tty = record.Terminal,
                OpenStdin = record.Stdin,
                Env = process?.Env ?? [],
                Cmd = record.Cmd,
                Image = record.ImageName,
                WorkingDir = process?.Cwd ?? "/",
                Entrypoint = string.Join(' ', record.Entrypoint),
                Labels = record.Labels.Count > 0 ? record.Labels : null,
                Annotations = spec?.Annotations,
                StopSignal = record.StopSignal,
                CreateCommand = record.CreateCommand,
                Umask = "0" + Convert.ToString(process?.User.Umask ?? 18, 8).PadLeft(3, '0'),
                StopTimeout = record.StopTimeout,
            },
            HostConfig = new InspectContainerHostConfig
            {
                CgroupMode = spec?.Linux?.Namespaces?.Any(n => n.Type == "cgroup") == true ? "private" : "host",
                UsernsMode = record.UserNs.StartsWith("keep-id", StringComparison.Ordinal) ? "private" : "", // podman 4.3: a namespace of its own
                LogConfig = new InspectLogConfig
                {
                    Type = record.LogDriver,
                    Path = record.LogDriver == "k8s-file" ? files.LogPath : "",
                    Size = HumanSize(Math.Max(0, record.LogMaxSize)),
                },
                RestartPolicy = new InspectRestartPolicy
                {
                    Name = record.RestartPolicy == "no" ? "" : record.RestartPolicy,
                    MaximumRetryCount = record.RestartRetries,
                },
                AutoRemove = record.AutoRemove,
                CapAdd = privileged ? [] : [.. bounding.Except(CapabilitySet.Defaults, StringComparer.Ordinal)],
                CapDrop = privileged || spec is null ? [] : [.. CapabilitySet.Defaults.Except(bounding, StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                OomScoreAdj = process?.OomScoreAdj ?? 0,
                Privileged = privileged,
                ReadonlyRootfs = spec?.Root?.Readonly == true,
                Tmpfs = spec?.Root?.Readonly == true ? ReadOnlyTmpfsMounts(spec) : [],
                ShmSize = ShmSize(spec),
                CpuShares = resources?.Cpu?.Shares ?? 0,
                Memory = resources?.Memory?.Limit ?? 0,
                NanoCpus = resources?.Cpu is { Quota: > 0 and long quota, Period: > 0 and ulong period } ? quota * 1_000_000_000 / (long)period : 0,
                BlkioWeight = resources?.BlockIo?.Weight ?? 0,
                CpuPeriod = resources?.Cpu?.Period ?? 0,
                CpuQuota = resources?.Cpu?.Quota ?? 0,
                CpuRealtimePeriod = resources?.Cpu?.RealtimePeriod ?? 0,
                CpuRealtimeRuntime = resources?.Cpu?.RealtimeRuntime ?? 0,
                CpusetCpus = resources?.Cpu?.Cpus ?? "",
                CpusetMems = resources?.Cpu?.Mems ?? "",
                MemoryReservation = resources?.Memory?.Reservation ?? 0,
                MemorySwap = resources?.Memory?.Swap ?? 0,
                MemorySwappiness = resources?.Memory?.Swappiness is { } swappiness ? (long)swappiness : 0,
                OomKillDisable = resources?.Memory?.DisableOomKiller == true,
                PidsLimit = resources?.Pids?.Limit ?? 0,
                Ulimits = [.. (process?.Rlimits ?? []).Select(r => new InspectUlimit { Name = r.Type, Soft = Clamp(r.Soft), Hard = Clamp(r.Hard) })],
            },
        };
        if (size)
        {
            long rw = DirectorySize(files.Layer.Upper);
            data.SizeRw = rw;
            data.SizeRootFs = rw + (image?.Size ?? 0);
        }
        return data;
    }

    private InspectGraphDriver GraphDriver(ContainerRecord record, ImageRecord? image, ContainerLayerPaths layer)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (image is not null && image.Layers.Count > 0)
            data["LowerDir"] = string.Join(':', image.Layers.AsEnumerable().Reverse().Select(l => images.Store.LayerDiffPath(Oci.Digest.Parse(l))));
        if (record.State is ContainerStates.Running or ContainerStates.Initialized && ContainerLayerStore.IsMountPoint(layer.Merged))
            data["MergedDir"] = layer.Merged;
        data["UpperDir"] = layer.Upper;
        data["WorkDir"] = layer.Work;
        return new InspectGraphDriver { Name = "overlay", Data = data };
    }

    private static Spec? ReadSpec(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), RuntimeJsonContext.Default.Spec);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null; // a create that was interrupted: the record alone
        }
    }

    private static List<string> Sorted(IEnumerable<string>? caps) => [.. (caps ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static Dictionary<string, string> ReadOnlyTmpfsMounts(Spec spec)
        => (spec.Mounts ?? []).Where(m => m.Type == "tmpfs" && ReadOnlyTmpfs.Contains(m.Destination))
            .ToDictionary(m => m.Destination, m => string.Join(',', m.Options ?? []), StringComparer.Ordinal);

    /// <summary>The size= of the /dev/shm mount, podman's 64000k when it says none.</summary>
    private static long ShmSize(Spec? spec)
    {
        var shm = spec?.Mounts?.FirstOrDefault(m => m.Destination == "/dev/shm");
        string? option = shm?.Options?.FirstOrDefault(o => o.StartsWith("size=", StringComparison.Ordinal));
        if (option is null) return 65536000;
        string value = option[5..];
        long multiplier = value.Length > 0 ? char.ToLowerInvariant(value[^1]) switch { 'k' => 1024, 'm' => 1024 * 1024, 'g' => 1024 * 1024 * 1024, _ => 1 } : 1;
        if (multiplier != 1) value = value[..^1];
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n * multiplier : 65536000;
    }

    private static long Clamp(ulong value) => value > long.MaxValue ? -1 : (long)value;

    /// <summary>Go's units.HumanSize: decimal units, four significant digits ("0B", "10.49MB").</summary>
    public static string HumanSize(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
        double size = bytes;
        int i = 0;
        while (size >= 1000 && i < units.Length - 1)
        {
            size /= 1000;
            i++;
        }
        return size.ToString("G4", CultureInfo.InvariantCulture) + units[i];
    }

    /// <summary>The bytes of the regular files under <paramref name="dir"/> (symlinks not followed); 0 when it is gone.</summary>
    private static long DirectorySize(string dir)
    {
        if (!Directory.Exists(dir)) return 0;
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        try
        {
            foreach (var file in new DirectoryInfo(dir).EnumerateFiles("*", options)) total += file.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a file removed while we walked: the size is an estimate anyway
        }
        return total;
    }
}
