using System.Text.Json.Serialization;

namespace Skiff.Engine.Inspect;

// `inspect` of a container as podman 4.3 prints it (libpod/define's InspectContainerData): the same keys in the
// same order with the same JSON types. Skiff fills what it knows; the rest keeps podman's zero values (0, "",
// false, [], {} or null, as podman prints them for a container that does not use the feature). Times are written
// as Go writes them (InspectJsonContext's converter); fields podman marks omitempty are left out when empty.

/// <summary>One container, as `podman inspect` prints it.</summary>
public sealed class InspectContainerData
{
    public string Id { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    public string Path { get; set; } = "";
    public List<string> Args { get; set; } = [];
    public InspectContainerState State { get; set; } = new();
    public string Image { get; set; } = "";
    public string ImageDigest { get; set; } = "";
    public string ImageName { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public string Pod { get; set; } = "";
    public string ResolvConfPath { get; set; } = "";
    public string HostnamePath { get; set; } = "";
    public string HostsPath { get; set; } = "";
    public string StaticDir { get; set; } = "";
    public string OCIConfigPath { get; set; } = "";
    public string OCIRuntime { get; set; } = "";
    public string ConmonPidFile { get; set; } = "";
    public string PidFile { get; set; } = "";
    public string Name { get; set; } = "";
    public int RestartCount { get; set; }
    public string Driver { get; set; } = "overlay";
    public string MountLabel { get; set; } = "";
    public string ProcessLabel { get; set; } = "";
    public string AppArmorProfile { get; set; } = "";
    public List<string> EffectiveCaps { get; set; } = [];
    public List<string> BoundingCaps { get; set; } = [];
    public List<string> ExecIDs { get; set; } = [];
    public InspectGraphDriver GraphDriver { get; set; } = new();
    /// <summary>With -s: the bytes the container has written to its own layer, and its whole root's size.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? SizeRw { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? SizeRootFs { get; set; }
    public List<InspectMount> Mounts { get; set; } = [];
    public List<string> Dependencies { get; set; } = [];
    public InspectNetworkSettings NetworkSettings { get; set; } = new();
    public string Namespace { get; set; } = "";
    public bool IsInfra { get; set; }
    public bool IsService { get; set; }
    public InspectContainerConfig Config { get; set; } = new();
    public InspectContainerHostConfig HostConfig { get; set; } = new();
}

public sealed class InspectContainerState
{
    public string OciVersion { get; set; } = "";
    /// <summary>configured, created, initialized, running, stopped, exited.</summary>
    public string Status { get; set; } = "";
    public bool Running { get; set; }
    public bool Paused { get; set; }
    public bool Restarting { get; set; }
    public bool OOMKilled { get; set; }
    public bool Dead { get; set; }
    public int Pid { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int ConmonPid { get; set; }
    public int ExitCode { get; set; }
    public string Error { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    public InspectHealthCheckResults Health { get; set; } = new();
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CgroupPath { get; set; }
    public DateTimeOffset CheckpointedAt { get; set; }
    public DateTimeOffset RestoredAt { get; set; }
}

public sealed class InspectHealthCheckResults
{
    public string Status { get; set; } = "";
    public int FailingStreak { get; set; }
    public List<string>? Log { get; set; }
}

public sealed class InspectGraphDriver
{
    public string Name { get; set; } = "overlay";
    public Dictionary<string, string> Data { get; set; } = [];
}

/// <summary>A volume or bind mount (podman's InspectMount).</summary>
public sealed class InspectMount
{
    public string Type { get; set; } = "";
    public string Name { get; set; } = "";
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    public string Driver { get; set; } = "";
    public string Mode { get; set; } = "";
    public List<string> Options { get; set; } = [];
    public bool RW { get; set; }
    public string Propagation { get; set; } = "";
}

public sealed class InspectNetworkSettings
{
    public string EndpointID { get; set; } = "";
    public string Gateway { get; set; } = "";
    public string IPAddress { get; set; } = "";
    public int IPPrefixLen { get; set; }
    public string IPv6Gateway { get; set; } = "";
    public string GlobalIPv6Address { get; set; } = "";
    public int GlobalIPv6PrefixLen { get; set; }
    public string MacAddress { get; set; } = "";
    public string Bridge { get; set; } = "";
    public string SandboxID { get; set; } = "";
    public bool HairpinMode { get; set; }
    public string LinkLocalIPv6Address { get; set; } = "";
    public int LinkLocalIPv6PrefixLen { get; set; }
    public Dictionary<string, List<InspectHostPort>?> Ports { get; set; } = [];
    public string SandboxKey { get; set; } = "";
}

public sealed class InspectHostPort
{
    public string HostIp { get; set; } = "";
    public string HostPort { get; set; } = "";
}

public sealed class InspectContainerConfig
{
    public string Hostname { get; set; } = "";
    public string Domainname { get; set; } = "";
    public string User { get; set; } = "";
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public List<string> Env { get; set; } = [];
    public List<string> Cmd { get; set; } = [];
    public string Image { get; set; } = "";
    public Dictionary<string, InspectEmpty>? Volumes { get; set; }
    public string WorkingDir { get; set; } = "";
    /// <summary>podman 4's string: the entrypoint's words joined by spaces.</summary>
    public string Entrypoint { get; set; } = "";
    public List<string>? OnBuild { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public int StopSignal { get; set; }
    public string HealthcheckOnFailureAction { get; set; } = "none";
    public List<string> CreateCommand { get; set; } = [];
    public string Umask { get; set; } = "0022";
    public int Timeout { get; set; }
    public int StopTimeout { get; set; }
    public bool Passwd { get; set; } = true;
    [JsonPropertyName("sdNotifyMode")] public string SdNotifyMode { get; set; } = "container";
}

/// <summary>Go's struct{}: an object with no members.</summary>
public sealed class InspectEmpty;

public sealed class InspectLogConfig
{
    public string Type { get; set; } = "k8s-file";
    public Dictionary<string, string>? Config { get; set; }
    public string Path { get; set; } = "";
    public string Tag { get; set; } = "";
    public string Size { get; set; } = "0B";
}

public sealed class InspectRestartPolicy
{
    public string Name { get; set; } = "";
    public int MaximumRetryCount { get; set; }
}

public sealed class InspectUlimit
{
    public string Name { get; set; } = "";
    public long Soft { get; set; }
    public long Hard { get; set; }
}

public sealed class InspectContainerHostConfig
{
    public List<string> Binds { get; set; } = [];
    public string CgroupManager { get; set; } = "cgroupfs";
    public string CgroupMode { get; set; } = "host";
    public string ContainerIDFile { get; set; } = "";
    public InspectLogConfig LogConfig { get; set; } = new();
    public string NetworkMode { get; set; } = "none";
    public Dictionary<string, List<InspectHostPort>> PortBindings { get; set; } = [];
    public InspectRestartPolicy RestartPolicy { get; set; } = new();
    public bool AutoRemove { get; set; }
    public string VolumeDriver { get; set; } = "";
    public List<string>? VolumesFrom { get; set; }
    public List<string> CapAdd { get; set; } = [];
    public List<string> CapDrop { get; set; } = [];
    public List<string> Dns { get; set; } = [];
    public List<string> DnsOptions { get; set; } = [];
    public List<string> DnsSearch { get; set; } = [];
    public List<string> ExtraHosts { get; set; } = [];
    public List<string> GroupAdd { get; set; } = [];
    public string IpcMode { get; set; } = "private";
    public string Cgroup { get; set; } = "";
    public string Cgroups { get; set; } = "default";
    public List<string>? Links { get; set; }
    public int OomScoreAdj { get; set; }
    public string PidMode { get; set; } = "private";
    public bool Privileged { get; set; }
    public bool PublishAllPorts { get; set; }
    public bool ReadonlyRootfs { get; set; }
    public List<string> SecurityOpt { get; set; } = [];
    public Dictionary<string, string> Tmpfs { get; set; } = [];
    public string UTSMode { get; set; } = "private";
    public string UsernsMode { get; set; } = "";
    public long ShmSize { get; set; } = 65536000;
    public string Runtime { get; set; } = "oci";
    public List<uint> ConsoleSize { get; set; } = [0, 0];
    public string Isolation { get; set; } = "";
    public ulong CpuShares { get; set; }
    public long Memory { get; set; }
    public long NanoCpus { get; set; }
    public string CgroupParent { get; set; } = "";
    public ushort BlkioWeight { get; set; }
    public List<string>? BlkioWeightDevice { get; set; }
    public List<string>? BlkioDeviceReadBps { get; set; }
    public List<string>? BlkioDeviceWriteBps { get; set; }
    public List<string>? BlkioDeviceReadIOps { get; set; }
    public List<string>? BlkioDeviceWriteIOps { get; set; }
    public ulong CpuPeriod { get; set; }
    public long CpuQuota { get; set; }
    public ulong CpuRealtimePeriod { get; set; }
    public long CpuRealtimeRuntime { get; set; }
    public string CpusetCpus { get; set; } = "";
    public string CpusetMems { get; set; } = "";
    public List<string> Devices { get; set; } = [];
    public ulong DiskQuota { get; set; }
    public long KernelMemory { get; set; }
    public long MemoryReservation { get; set; }
    public long MemorySwap { get; set; }
    public long MemorySwappiness { get; set; }
    public bool OomKillDisable { get; set; }
    public long PidsLimit { get; set; }
    public List<InspectUlimit> Ulimits { get; set; } = [];
    public ulong CpuCount { get; set; }
    public ulong CpuPercent { get; set; }
    public ulong IOMaximumIOps { get; set; }
    public ulong IOMaximumBandwidth { get; set; }
    public Dictionary<string, string>? CgroupConf { get; set; }
}
