using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Skiff.Oci.Runtime;

// Reads config.json into a Spec by hand, over Utf8JsonReader. The runtime parses config.json twice per container
// start (in skiff-runtime and again in the container's init), each time in a fresh NativeAOT process, where
// System.Text.Json first builds its metadata for the ~45 types reachable from Spec: about 3 ms and 1 MiB each time.
// This reader needs no metadata. It must give exactly what JsonSerializer.Deserialize(bytes,
// RuntimeJsonContext.Default.Spec) gives, with the same defaults (case-sensitive names, unknown properties
// skipped, the last of duplicated properties wins, no comments, no trailing commas, depth 64, no strings for
// numbers); tests/Skiff.Tests/Oci/SpecReaderTests.cs holds it to that, and fails when a property is added to the
// types without a line here.
//
// As System.Text.Json does, a JSON null is assigned to reference properties even when they are not declared
// nullable (hence the `!`s), and kept as an item of lists and maps; a null for a number or boolean that is not
// nullable is an error. Errors are JsonExceptions whose message names the place in the spec's terms
// ("process.args[2]: expected a string, found a number") with the line and column; malformed JSON keeps the
// reader's message and gets the path. The path is worked out only when there is an error, by reading the input
// again up to the failing token, so reading a valid config costs nothing for it.

/// <summary>Reads a runtime-spec config.json into a <see cref="Spec"/> without System.Text.Json's serializer metadata.</summary>
public static class SpecReader
{
    /// <summary>The largest input accepted (callers check too).</summary>
    public const int MaxBytes = 16 << 20;

    /// <summary>The spec in <paramref name="utf8Json"/>; null when the JSON is a top-level null.</summary>
    /// <exception cref="JsonException">The input is not JSON, or does not fit the types (the message says where and why).</exception>
    public static Spec? Read(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > MaxBytes) throw new JsonException($"config.json is larger than {MaxBytes} bytes");
        var r = new Reader(utf8Json);
        try
        {
            r.Json.Read(); // throws on empty input
            var spec = ReadSpec(ref r);
            r.Json.Read(); // throws when anything but white space follows
            return spec;
        }
        catch (Failure f)
        {
            string path = PathAt(utf8Json, f.Offset, out long line, out long column);
            throw new JsonException($"{(path.Length == 0 ? "top level" : path)}: {f.Message}", null, line, column);
        }
        catch (JsonException e) // malformed JSON, from the reader: its own message, with the path it stopped at
        {
            string path = PathAt(utf8Json, -1, out _, out _);
            throw new JsonException(e.Message, path.StartsWith('[') || path.Length == 0 ? "$" + path : "$." + path, e.LineNumber, e.BytePositionInLine, e);
        }
    }

    // ---- runtime-spec config.md: the top level, root, mounts, hooks ----

    private static Spec? ReadSpec(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Spec();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "ociVersion": o.OciVersion = r.String()!; break;
                case "process": o.Process = ReadProcess(ref r); break;
                case "root": o.Root = ReadRoot(ref r); break;
                case "hostname": o.Hostname = r.String(); break;
                case "domainname": o.Domainname = r.String(); break;
                case "mounts": o.Mounts = List(ref r, ReadMount); break;
                case "hooks": o.Hooks = ReadHooks(ref r); break;
                case "linux": o.Linux = ReadLinux(ref r); break;
                case "annotations": o.Annotations = r.StringMap(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Root? ReadRoot(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Root();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "path": o.Path = r.String()!; break;
                case "readonly": o.Readonly = r.BoolOrNull(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Mount? ReadMount(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Mount();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "destination": o.Destination = r.String()!; break;
                case "type": o.Type = r.String(); break;
                case "source": o.Source = r.String(); break;
                case "options": o.Options = r.Strings(); break;
                case "uidMappings": o.UidMappings = List(ref r, ReadIdMapping); break;
                case "gidMappings": o.GidMappings = List(ref r, ReadIdMapping); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Hooks? ReadHooks(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Hooks();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "prestart": o.Prestart = List(ref r, ReadHook); break;
                case "createRuntime": o.CreateRuntime = List(ref r, ReadHook); break;
                case "createContainer": o.CreateContainer = List(ref r, ReadHook); break;
                case "startContainer": o.StartContainer = List(ref r, ReadHook); break;
                case "poststart": o.Poststart = List(ref r, ReadHook); break;
                case "poststop": o.Poststop = List(ref r, ReadHook); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Hook? ReadHook(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Hook();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "path": o.Path = r.String()!; break;
                case "args": o.Args = r.Strings(); break;
                case "env": o.Env = r.Strings(); break;
                case "timeout": o.Timeout = r.IntOrNull(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static IdMapping? ReadIdMapping(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new IdMapping();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "containerID": o.ContainerId = r.UInt(); break;
                case "hostID": o.HostId = r.UInt(); break;
                case "size": o.Size = r.UInt(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    // ---- process ----

    private static Process? ReadProcess(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Process();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "terminal": o.Terminal = r.BoolOrNull(); break;
                case "consoleSize": o.ConsoleSize = ReadConsoleSize(ref r); break;
                case "user": o.User = ReadUser(ref r)!; break;
                case "args": o.Args = r.Strings(); break;
                case "env": o.Env = r.Strings(); break;
                case "cwd": o.Cwd = r.String()!; break;
                case "capabilities": o.Capabilities = ReadCapabilities(ref r); break;
                case "rlimits": o.Rlimits = List(ref r, ReadRlimit); break;
                case "noNewPrivileges": o.NoNewPrivileges = r.BoolOrNull(); break;
                case "oomScoreAdj": o.OomScoreAdj = r.IntOrNull(); break;
                case "apparmorProfile": o.ApparmorProfile = r.String(); break;
                case "selinuxLabel": o.SelinuxLabel = r.String(); break;
                case "scheduler": o.Scheduler = ReadScheduler(ref r); break;
                case "ioPriority": o.IoPriority = ReadIoPriority(ref r); break;
                case "execCPUAffinity": o.ExecCpuAffinity = ReadExecCpuAffinity(ref r); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static ConsoleSize? ReadConsoleSize(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new ConsoleSize();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "height": o.Height = r.UInt(); break;
                case "width": o.Width = r.UInt(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static User? ReadUser(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new User();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "uid": o.Uid = r.UInt(); break;
                case "gid": o.Gid = r.UInt(); break;
                case "umask": o.Umask = r.UIntOrNull(); break;
                case "additionalGids": o.AdditionalGids = r.UInts(); break;
                case "username": o.Username = r.String(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Capabilities? ReadCapabilities(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Capabilities();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "bounding": o.Bounding = r.Strings(); break;
                case "effective": o.Effective = r.Strings(); break;
                case "inheritable": o.Inheritable = r.Strings(); break;
                case "permitted": o.Permitted = r.Strings(); break;
                case "ambient": o.Ambient = r.Strings(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Rlimit? ReadRlimit(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Rlimit();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "type": o.Type = r.String()!; break;
                case "hard": o.Hard = r.ULong(); break;
                case "soft": o.Soft = r.ULong(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Scheduler? ReadScheduler(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Scheduler();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "policy": o.Policy = r.String()!; break;
                case "nice": o.Nice = r.IntOrNull(); break;
                case "priority": o.Priority = r.IntOrNull(); break;
                case "flags": o.Flags = r.Strings(); break;
                case "runtime": o.Runtime = r.ULongOrNull(); break;
                case "deadline": o.Deadline = r.ULongOrNull(); break;
                case "period": o.Period = r.ULongOrNull(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static IoPriority? ReadIoPriority(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new IoPriority();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "class": o.Class = r.String()!; break;
                case "priority": o.Priority = r.Int(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static ExecCpuAffinity? ReadExecCpuAffinity(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new ExecCpuAffinity();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "initial": o.Initial = r.String(); break;
                case "final": o.Final = r.String(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    // ---- linux ----

    private static Linux? ReadLinux(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Linux();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "namespaces": o.Namespaces = List(ref r, ReadNamespace); break;
                case "uidMappings": o.UidMappings = List(ref r, ReadIdMapping); break;
                case "gidMappings": o.GidMappings = List(ref r, ReadIdMapping); break;
                case "timeOffsets": o.TimeOffsets = Map(ref r, ReadTimeOffset); break;
                case "devices": o.Devices = List(ref r, ReadDevice); break;
                case "cgroupsPath": o.CgroupsPath = r.String(); break;
                case "resources": o.Resources = ReadResources(ref r); break;
                case "rootfsPropagation": o.RootfsPropagation = r.String(); break;
                case "seccomp": o.Seccomp = ReadSeccomp(ref r); break;
                case "sysctl": o.Sysctl = r.StringMap(); break;
                case "maskedPaths": o.MaskedPaths = r.Strings(); break;
                case "readonlyPaths": o.ReadonlyPaths = r.Strings(); break;
                case "mountLabel": o.MountLabel = r.String(); break;
                case "personality": o.Personality = ReadPersonality(ref r); break;
                case "intelRdt": o.IntelRdt = r.ElementMap(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Namespace? ReadNamespace(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Namespace();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "type": o.Type = r.String()!; break;
                case "path": o.Path = r.String(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static TimeOffset? ReadTimeOffset(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new TimeOffset();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "secs": o.Secs = r.Long(); break;
                case "nanosecs": o.Nanosecs = r.UInt(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Device? ReadDevice(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Device();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "type": o.Type = r.String()!; break;
                case "path": o.Path = r.String()!; break;
                case "major": o.Major = r.Long(); break;
                case "minor": o.Minor = r.Long(); break;
                case "fileMode": o.FileMode = r.UIntOrNull(); break;
                case "uid": o.Uid = r.UIntOrNull(); break;
                case "gid": o.Gid = r.UIntOrNull(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static Personality? ReadPersonality(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new Personality();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "domain": o.Domain = r.String()!; break;
                case "flags": o.Flags = r.Strings(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    // ---- linux.resources ----

    private static LinuxResources? ReadResources(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new LinuxResources();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "devices": o.Devices = List(ref r, ReadDeviceCgroupRule); break;
                case "memory": o.Memory = ReadMemory(ref r); break;
                case "cpu": o.Cpu = ReadCpu(ref r); break;
                case "blockIO": o.BlockIo = ReadBlockIo(ref r); break;
                case "hugepageLimits": o.HugepageLimits = List(ref r, ReadHugepageLimit); break;
                case "network": o.Network = ReadNetwork(ref r); break;
                case "pids": o.Pids = ReadPids(ref r); break;
                case "rdma": o.Rdma = Map(ref r, ReadRdmaLimit); break;
                case "unified": o.Unified = r.StringMap(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static DeviceCgroupRule? ReadDeviceCgroupRule(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new DeviceCgroupRule();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "allow": o.Allow = r.Bool(); break;
                case "type": o.Type = r.String(); break;
                case "major": o.Major = r.LongOrNull(); break;
                case "minor": o.Minor = r.LongOrNull(); break;
                case "access": o.Access = r.String(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static MemoryResources? ReadMemory(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new MemoryResources();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "limit": o.Limit = r.LongOrNull(); break;
                case "reservation": o.Reservation = r.LongOrNull(); break;
                case "swap": o.Swap = r.LongOrNull(); break;
                case "kernel": o.Kernel = r.LongOrNull(); break;
                case "kernelTCP": o.KernelTcp = r.LongOrNull(); break;
                case "swappiness": o.Swappiness = r.ULongOrNull(); break;
                case "disableOOMKiller": o.DisableOomKiller = r.BoolOrNull(); break;
                case "useHierarchy": o.UseHierarchy = r.BoolOrNull(); break;
                case "checkBeforeUpdate": o.CheckBeforeUpdate = r.BoolOrNull(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static CpuResources? ReadCpu(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new CpuResources();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "shares": o.Shares = r.ULongOrNull(); break;
                case "quota": o.Quota = r.LongOrNull(); break;
                case "burst": o.Burst = r.ULongOrNull(); break;
                case "period": o.Period = r.ULongOrNull(); break;
                case "realtimeRuntime": o.RealtimeRuntime = r.LongOrNull(); break;
                case "realtimePeriod": o.RealtimePeriod = r.ULongOrNull(); break;
                case "cpus": o.Cpus = r.String(); break;
                case "mems": o.Mems = r.String(); break;
                case "idle": o.Idle = r.LongOrNull(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static BlockIoResources? ReadBlockIo(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new BlockIoResources();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "weight": o.Weight = r.UShortOrNull(); break;
                case "leafWeight": o.LeafWeight = r.UShortOrNull(); break;
                case "weightDevice": o.WeightDevice = List(ref r, ReadWeightDevice); break;
                case "throttleReadBpsDevice": o.ThrottleReadBpsDevice = List(ref r, ReadThrottleDevice); break;
                case "throttleWriteBpsDevice": o.ThrottleWriteBpsDevice = List(ref r, ReadThrottleDevice); break;
                case "throttleReadIOPSDevice": o.ThrottleReadIopsDevice = List(ref r, ReadThrottleDevice); break;
                case "throttleWriteIOPSDevice": o.ThrottleWriteIopsDevice = List(ref r, ReadThrottleDevice); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static WeightDevice? ReadWeightDevice(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new WeightDevice();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "major": o.Major = r.Long(); break;
                case "minor": o.Minor = r.Long(); break;
                case "weight": o.Weight = r.UShortOrNull(); break;
                case "leafWeight": o.LeafWeight = r.UShortOrNull(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static ThrottleDevice? ReadThrottleDevice(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new ThrottleDevice();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "major": o.Major = r.Long(); break;
                case "minor": o.Minor = r.Long(); break;
                case "rate": o.Rate = r.ULong(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static HugepageLimit? ReadHugepageLimit(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new HugepageLimit();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "pageSize": o.PageSize = r.String()!; break;
                case "limit": o.Limit = r.ULong(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static NetworkResources? ReadNetwork(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new NetworkResources();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "classID": o.ClassId = r.UIntOrNull(); break;
                case "priorities": o.Priorities = List(ref r, ReadInterfacePriority); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static InterfacePriority? ReadInterfacePriority(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new InterfacePriority();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "name": o.Name = r.String()!; break;
                case "priority": o.Priority = r.UInt(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static PidsResources? ReadPids(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new PidsResources();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "limit": o.Limit = r.Long(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static RdmaLimit? ReadRdmaLimit(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new RdmaLimit();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "hcaHandles": o.HcaHandles = r.UIntOrNull(); break;
                case "hcaObjects": o.HcaObjects = r.UIntOrNull(); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    // ---- linux.seccomp ----

    private static LinuxSeccomp? ReadSeccomp(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new LinuxSeccomp();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "defaultAction": o.DefaultAction = r.String()!; break;
                case "defaultErrnoRet": o.DefaultErrnoRet = r.UIntOrNull(); break;
                case "architectures": o.Architectures = r.Strings(); break;
                case "flags": o.Flags = r.Strings(); break;
                case "listenerPath": o.ListenerPath = r.String(); break;
                case "listenerMetadata": o.ListenerMetadata = r.String(); break;
                case "syscalls": o.Syscalls = List(ref r, ReadSyscall); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static SeccompSyscall? ReadSyscall(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new SeccompSyscall();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "names": o.Names = r.Strings()!; break;
                case "action": o.Action = r.String()!; break;
                case "errnoRet": o.ErrnoRet = r.UIntOrNull(); break;
                case "args": o.Args = List(ref r, ReadSeccompArg); break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    private static SeccompArg? ReadSeccompArg(ref Reader r)
    {
        if (!r.StartObject()) return null;
        var o = new SeccompArg();
        while (r.NextMember())
        {
            switch (r.Name)
            {
                case "index": o.Index = r.UInt(); break;
                case "value": o.Value = r.ULong(); break;
                case "valueTwo": o.ValueTwo = r.ULong(); break;
                case "op": o.Op = r.String()!; break;
                default: r.Json.Skip(); break;
            }
        }
        return o;
    }

    // ---- lists and maps of objects ----

    private delegate T? Item<T>(ref Reader r) where T : class;

    /// <summary>A JSON array of objects (null items kept, as System.Text.Json does), or null.</summary>
    private static List<T>? List<T>(ref Reader r, Item<T> item) where T : class
    {
        if (!r.StartArray()) return null;
        var list = new List<T>();
        while (r.NextItem()) list.Add(item(ref r)!);
        return list;
    }

    /// <summary>A JSON object of objects keyed by name (null values kept; the last of duplicated keys wins), or null.</summary>
    private static Dictionary<string, T>? Map<T>(ref Reader r, Item<T> value) where T : class
    {
        if (!r.StartObject()) return null;
        var map = new Dictionary<string, T>();
        while (r.NextKey(out string key)) map[key] = value(ref r)!;
        return map;
    }

    // ---- where an error is ----

    /// <summary>An error found by the reader, at the token starting at <see cref="Offset"/>; Read words it.</summary>
    private sealed class Failure(string message, long offset) : Exception(message)
    {
        public long Offset { get; } = offset;
    }

    /// <summary>
    /// The path ("process.args[2]", "" at the top level) of the value whose token starts at <paramref name="offset"/>,
    /// or of where reading fails when <paramref name="offset"/> is -1, found by reading the input again; and that
    /// offset's zero-based line and byte column.
    /// </summary>
    private static string PathAt(ReadOnlySpan<byte> input, long offset, out long line, out long column)
    {
        var json = new Utf8JsonReader(input, default);
        var stack = new List<(bool Array, string? Name, int Index)>();
        try
        {
            while (json.Read())
            {
                var token = json.TokenType;
                if (token == JsonTokenType.PropertyName)
                {
                    bool failed = json.TokenStartIndex == offset; // a name we could not read: the object's path
                    stack[^1] = (false, failed ? null : NameOf(ref json), -1);
                    if (failed) break;
                    continue;
                }
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    stack.RemoveAt(stack.Count - 1);
                    continue;
                }
                if (stack.Count > 0 && stack[^1].Array) stack[^1] = (true, null, stack[^1].Index + 1);
                if (json.TokenStartIndex == offset) break;
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray) stack.Add((token == JsonTokenType.StartArray, null, -1));
            }
        }
        catch (JsonException)
        {
            // Malformed JSON (offset -1): the path up to where the reader stopped.
        }
        var path = new StringBuilder();
        foreach (var (array, name, index) in stack)
        {
            if (array && index >= 0) path.Append('[').Append(index).Append(']');
            else if (name is null) break;
            else if (IsPlainName(name)) path.Append(path.Length == 0 ? "" : ".").Append(name);
            else path.Append("['").Append(name.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
        }
        long at = Math.Max(0, offset);
        ReadOnlySpan<byte> before = input[..(int)Math.Min(at, input.Length)];
        line = before.Count((byte)'\n');
        column = before.Length - (before.LastIndexOf((byte)'\n') + 1);
        return path.ToString();
    }

    private static string NameOf(ref Utf8JsonReader json)
    {
        try { return json.GetString()!; }
        catch (InvalidOperationException) { return "?"; }
    }

    private static bool IsPlainName(string name)
    {
        if (name.Length == 0) return false;
        foreach (char c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-')) return false;
        return true;
    }

    private static string Found(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => "something else",
    };

    // ---- the reader: Utf8JsonReader with the current property name and typed reads of values ----

    /// <summary>The longest property name of the spec's types is 23 characters; longer ones are unknown.</summary>
    private const int NameMax = 32;

    [InlineArray(NameMax)]
    private struct NameChars
    {
        private char first;
    }

    // No member is readonly: Utf8JsonReader's TryGet* and GetString are not, and would be called on defensive copies.
    private ref struct Reader(ReadOnlySpan<byte> input)
    {
        /// <summary>System.Text.Json's defaults: no comments, no trailing commas, depth 64.</summary>
        public Utf8JsonReader Json = new(input, new JsonReaderOptions());
        private NameChars name;
        private int nameLength;

        /// <summary>The current property's name, unescaped; empty for names that cannot be one of ours (long, not ASCII).</summary>
        [UnscopedRef] public ReadOnlySpan<char> Name => ((ReadOnlySpan<char>)name)[..nameLength];

        /// <summary>At an object: true. At null: false. Anything else is an error.</summary>
        public bool StartObject() => Json.TokenType switch
        {
            JsonTokenType.StartObject => true,
            JsonTokenType.Null => false,
            _ => throw Expected("an object"),
        };

        /// <summary>At an array: true. At null: false. Anything else is an error.</summary>
        public bool StartArray() => Json.TokenType switch
        {
            JsonTokenType.StartArray => true,
            JsonTokenType.Null => false,
            _ => throw Expected("an array"),
        };

        /// <summary>Moves to the next property's value (its name in <see cref="Name"/>); false at the object's end.</summary>
        public bool NextMember()
        {
            Json.Read();
            if (Json.TokenType == JsonTokenType.EndObject) return false;
            nameLength = 0;
            scoped ReadOnlySpan<byte> raw = Json.ValueSpan;
            if (Json.ValueIsEscaped) // rare: "pro\u0063ess"; unescaped as System.Text.Json does (an unpaired surrogate fails)
            {
                Span<byte> unescaped = raw.Length <= 256 ? stackalloc byte[256] : new byte[raw.Length];
                try { raw = unescaped[..Json.CopyString(unescaped)]; }
                catch (InvalidOperationException) { throw Fail("a property name holds an invalid \\u escape"); }
            }
            if (raw.Length <= NameMax && Ascii.ToUtf16(raw, name, out int length) == OperationStatus.Done) nameLength = length;
            Json.Read();
            return true;
        }

        /// <summary>Moves to the next key's value of a map; false at the object's end.</summary>
        public bool NextKey(out string key)
        {
            Json.Read();
            key = "";
            if (Json.TokenType == JsonTokenType.EndObject) return false;
            key = Decode();
            Json.Read();
            return true;
        }

        /// <summary>Moves to the next item of an array; false at its end.</summary>
        public bool NextItem() => Json.Read() && Json.TokenType != JsonTokenType.EndArray;

        public string? String() => Json.TokenType switch
        {
            JsonTokenType.String => Decode(),
            JsonTokenType.Null => null,
            _ => throw Expected("a string"),
        };

        public bool Bool() => Json.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Expected("true or false"),
        };

        public bool? BoolOrNull() => Json.TokenType == JsonTokenType.Null ? null : Bool();

        public int Int() => IsNumber && Json.TryGetInt32(out int v) ? v : throw NotA("a 32-bit integer");
        public int? IntOrNull() => Json.TokenType == JsonTokenType.Null ? null : Int();
        public uint UInt() => IsNumber && Json.TryGetUInt32(out uint v) ? v : throw NotA("an unsigned 32-bit integer");
        public uint? UIntOrNull() => Json.TokenType == JsonTokenType.Null ? null : UInt();
        public long Long() => IsNumber && Json.TryGetInt64(out long v) ? v : throw NotA("a 64-bit integer");
        public long? LongOrNull() => Json.TokenType == JsonTokenType.Null ? null : Long();
        public ulong ULong() => IsNumber && Json.TryGetUInt64(out ulong v) ? v : throw NotA("an unsigned 64-bit integer");
        public ulong? ULongOrNull() => Json.TokenType == JsonTokenType.Null ? null : ULong();
        public ushort? UShortOrNull() =>
            Json.TokenType == JsonTokenType.Null ? null : IsNumber && Json.TryGetUInt16(out ushort v) ? v : throw NotA("an unsigned 16-bit integer");

        /// <summary>An array of strings (null items kept), or null.</summary>
        public List<string>? Strings()
        {
            if (!StartArray()) return null;
            var list = new List<string>();
            while (NextItem()) list.Add(String()!);
            return list;
        }

        /// <summary>An array of unsigned 32-bit integers, or null.</summary>
        public List<uint>? UInts()
        {
            if (!StartArray()) return null;
            var list = new List<uint>();
            while (NextItem()) list.Add(UInt());
            return list;
        }

        /// <summary>An object of strings (null values kept), or null.</summary>
        public Dictionary<string, string>? StringMap()
        {
            if (!StartObject()) return null;
            var map = new Dictionary<string, string>();
            while (NextKey(out string key)) map[key] = String()!;
            return map;
        }

        /// <summary>An object of any JSON values, kept as they are, or null.</summary>
        public Dictionary<string, JsonElement>? ElementMap()
        {
            if (!StartObject()) return null;
            var map = new Dictionary<string, JsonElement>();
            while (NextKey(out string key)) map[key] = JsonElement.ParseValue(ref Json);
            return map;
        }

        private bool IsNumber => Json.TokenType == JsonTokenType.Number;

        /// <summary>The current string or property name; text that is not valid UTF-8 (or an unpaired \u surrogate) fails, as in System.Text.Json.</summary>
        private string Decode()
        {
            try { return Json.GetString()!; }
            catch (InvalidOperationException)
            {
                throw Fail(Json.TokenType == JsonTokenType.PropertyName
                    ? "a property name is not valid UTF-8 or holds an invalid \\u escape"
                    : "the string is not valid UTF-8 or holds an invalid \\u escape");
            }
        }

        private Failure Expected(string what) => Fail($"expected {what}, found {Found(Json.TokenType)}");

        /// <summary>The current value is not the number wanted: a number out of range or not whole, or not a number at all.</summary>
        private Failure NotA(string what)
        {
            if (!IsNumber) return Expected(what);
            ReadOnlySpan<byte> text = Json.ValueSpan;
            string shown = text.Length <= 40 ? Encoding.ASCII.GetString(text) : Encoding.ASCII.GetString(text[..40]) + "...";
            return Fail($"{shown} is not {what}");
        }

        public Failure Fail(string what) => new(what, Json.TokenStartIndex);
    }
}
