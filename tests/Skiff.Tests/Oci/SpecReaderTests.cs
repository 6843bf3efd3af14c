using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Config;

// Not Skiff.Tests.Oci: that would hide Skiff.Oci from tests that write "Oci.Runtime.State" (HookRunnerTests).
namespace Skiff.Tests.OciRuntime;

/// <summary>
/// SpecReader (the hand-written config.json reader the runtime uses) reads exactly what System.Text.Json's
/// RuntimeJsonContext.Default.Spec reads: every property of every type, the same defaults and the same failures.
/// </summary>
public sealed class SpecReaderTests
{
    private static string Write(Spec? spec) =>
        spec is null ? "null" : Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(spec, RuntimeJsonContext.Default.Spec));

    /// <summary>What each reader makes of the input: the spec written back, or "JsonException".</summary>
    private static (string Ours, string Theirs) BothRead(byte[] json)
    {
        string ours, theirs;
        try { ours = Write(SpecReader.Read(json)); }
        catch (JsonException) { ours = "JsonException"; }
        try { theirs = Write(JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.Spec)); }
        catch (JsonException) { theirs = "JsonException"; }
        return (ours, theirs);
    }

    private static void AssertReadsLikeSystemTextJson(string json)
    {
        var (ours, theirs) = BothRead(Encoding.UTF8.GetBytes(json));
        Assert.Equal(theirs, ours);
    }

    // ---- every property ----

    [Fact]
    public void Every_property_of_every_type_is_read()
    {
        var spec = Filled();
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(spec, RuntimeJsonContext.Default.Spec);
        Assert.Equal(Encoding.UTF8.GetString(json), Write(SpecReader.Read(json)));
    }

    [Fact]
    public void The_filler_sets_every_property_to_something_other_than_its_default()
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        AssertAllSet(Filled(), "spec", visited);
        // Every property of every class reachable from Spec was seen set (a new property or type is seen here too).
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in ReachableTypes(typeof(Spec), []))
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)) expected.Add($"{type.Name}.{p.Name}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), visited.Order(StringComparer.Ordinal));
        Assert.True(expected.Count > 150, $"only {expected.Count} properties found");
    }

    /// <summary>A spec with every property set, lists and maps of <paramref name="items"/>.</summary>
    private static Spec Filled(int items = 2)
    {
        int n = 0;
        return (Spec)Fill(typeof(Spec), items, ref n);
    }

    private static bool IsSpecType(Type t) => t.IsClass && t.Namespace == typeof(Spec).Namespace && t.Assembly == typeof(Spec).Assembly;

    /// <summary>An instance with every property set: distinct numbers near the ends of their range, true, lists of 2, maps of 2.</summary>
    private static object Fill(Type type, int items, ref int n)
    {
        object o = Activator.CreateInstance(type)!;
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)) p.SetValue(o, Value(p.PropertyType, items, ref n));
        return o;
    }

    private static object Value(Type type, int items, ref int n)
    {
        n++;
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string)) return $"s{n} \"é\" \\ \u2028";
        if (t == typeof(bool)) return true;
        if (t == typeof(int)) return int.MinValue + n;
        if (t == typeof(uint)) return uint.MaxValue - (uint)n;
        if (t == typeof(long)) return long.MinValue + n;
        if (t == typeof(ulong)) return ulong.MaxValue - (ulong)n;
        if (t == typeof(ushort)) return (ushort)(ushort.MaxValue - n);
        if (t == typeof(JsonElement)) return JsonDocument.Parse($$"""{"a":[{{n}}, 1.5e3, null, true, "x", {}]}""").RootElement;
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(t)!;
            for (int i = 0; i < items; i++) list.Add(Value(t.GetGenericArguments()[0], items, ref n));
            return list;
        }
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var map = (IDictionary)Activator.CreateInstance(t)!;
            for (int i = 0; i < items; i++) map[i % 2 == 0 ? $"k{n}" : $"io.k8s/k{n}"] = Value(t.GetGenericArguments()[1], items, ref n);
            return map;
        }
        if (IsSpecType(t)) return Fill(t, items, ref n);
        throw new NotSupportedException($"the test's filler does not know {t}: teach it (and SpecReader) the new type");
    }

    private static void AssertAllSet(object o, string path, HashSet<string> visited)
    {
        var type = o.GetType();
        object fresh = Activator.CreateInstance(type)!;
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            object? value = p.GetValue(o);
            Assert.True(value is not null, $"{path}.{p.Name} is not set");
            Assert.True(!Equals(value, p.GetValue(fresh)) || value is bool, $"{path}.{p.Name} keeps its default");
            if (value is bool b) Assert.True(b, $"{path}.{p.Name} is false");
            visited.Add($"{type.Name}.{p.Name}");
            switch (value)
            {
                case IList list:
                    Assert.True(list.Count == 2, $"{path}.{p.Name} has {list.Count} items");
                    foreach (object? item in list) if (item is not null && IsSpecType(item.GetType())) AssertAllSet(item, $"{path}.{p.Name}[]", visited);
                    break;
                case IDictionary map:
                    Assert.True(map.Count == 2, $"{path}.{p.Name} has {map.Count} entries");
                    foreach (object? item in map.Values) if (item is not null && IsSpecType(item.GetType())) AssertAllSet(item, $"{path}.{p.Name}{{}}", visited);
                    break;
                default:
                    if (IsSpecType(value.GetType())) AssertAllSet(value, $"{path}.{p.Name}", visited);
                    break;
            }
        }
    }

    private static HashSet<Type> ReachableTypes(Type type, HashSet<Type> seen)
    {
        if (!IsSpecType(type) || !seen.Add(type)) return seen;
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var t = p.PropertyType;
            ReachableTypes(t, seen);
            if (t.IsGenericType) foreach (var arg in t.GetGenericArguments()) ReachableTypes(arg, seen);
        }
        return seen;
    }

    // ---- the same as System.Text.Json on real and odd configs ----

    /// <summary>What `runc spec` writes (runc 1.1), with the root made writable.</summary>
    private const string RuncSpec = """
        {
        	"ociVersion": "1.0.2-dev",
        	"process": {
        		"terminal": true,
        		"user": {
        			"uid": 0,
        			"gid": 0
        		},
        		"args": [
        			"sh"
        		],
        		"env": [
        			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        			"TERM=xterm"
        		],
        		"cwd": "/",
        		"capabilities": {
        			"bounding": [
        				"CAP_AUDIT_WRITE",
        				"CAP_KILL",
        				"CAP_NET_BIND_SERVICE"
        			],
        			"effective": [
        				"CAP_AUDIT_WRITE",
        				"CAP_KILL",
        				"CAP_NET_BIND_SERVICE"
        			],
        			"permitted": [
        				"CAP_AUDIT_WRITE",
        				"CAP_KILL",
        				"CAP_NET_BIND_SERVICE"
        			],
        			"ambient": [
        				"CAP_AUDIT_WRITE",
        				"CAP_KILL",
        				"CAP_NET_BIND_SERVICE"
        			]
        		},
        		"rlimits": [
        			{
        				"type": "RLIMIT_NOFILE",
        				"hard": 1024,
        				"soft": 1024
        			}
        		],
        		"noNewPrivileges": true
        	},
        	"root": {
        		"path": "rootfs",
        		"readonly": false
        	},
        	"hostname": "runc",
        	"mounts": [
        		{
        			"destination": "/proc",
        			"type": "proc",
        			"source": "proc"
        		},
        		{
        			"destination": "/dev",
        			"type": "tmpfs",
        			"source": "tmpfs",
        			"options": [
        				"nosuid",
        				"strictatime",
        				"mode=755",
        				"size=65536k"
        			]
        		},
        		{
        			"destination": "/dev/pts",
        			"type": "devpts",
        			"source": "devpts",
        			"options": [
        				"nosuid",
        				"noexec",
        				"newinstance",
        				"ptmxmode=0666",
        				"mode=0620",
        				"gid=5"
        			]
        		},
        		{
        			"destination": "/dev/shm",
        			"type": "tmpfs",
        			"source": "shm",
        			"options": [
        				"nosuid",
        				"noexec",
        				"nodev",
        				"mode=1777",
        				"size=65536k"
        			]
        		},
        		{
        			"destination": "/dev/mqueue",
        			"type": "mqueue",
        			"source": "mqueue",
        			"options": [
        				"nosuid",
        				"noexec",
        				"nodev"
        			]
        		},
        		{
        			"destination": "/sys",
        			"type": "sysfs",
        			"source": "sysfs",
        			"options": [
        				"nosuid",
        				"noexec",
        				"nodev",
        				"ro"
        			]
        		},
        		{
        			"destination": "/sys/fs/cgroup",
        			"type": "cgroup",
        			"source": "cgroup",
        			"options": [
        				"nosuid",
        				"noexec",
        				"nodev",
        				"relatime",
        				"ro"
        			]
        		}
        	],
        	"linux": {
        		"resources": {
        			"devices": [
        				{
        					"allow": false,
        					"access": "rwm"
        				}
        			]
        		},
        		"namespaces": [
        			{
        				"type": "pid"
        			},
        			{
        				"type": "network"
        			},
        			{
        				"type": "ipc"
        			},
        			{
        				"type": "uts"
        			},
        			{
        				"type": "mount"
        			},
        			{
        				"type": "cgroup"
        			}
        		],
        		"maskedPaths": [
        			"/proc/acpi",
        			"/proc/asound",
        			"/proc/kcore",
        			"/proc/keys",
        			"/proc/latency_stats",
        			"/proc/timer_list",
        			"/proc/timer_stats",
        			"/proc/sched_debug",
        			"/sys/firmware",
        			"/proc/scsi"
        		],
        		"readonlyPaths": [
        			"/proc/bus",
        			"/proc/fs",
        			"/proc/irq",
        			"/proc/sys",
        			"/proc/sysrq-trigger"
        		]
        	}
        }
        """;

    /// <summary>The runtime-spec's config.md example (hooks, id mappings, devices, resources, ...) with a podman-style seccomp section.</summary>
    private const string SpecExample = """
        {
            "ociVersion": "1.2.0",
            "process": {
                "terminal": true,
                "consoleSize": { "height": 25, "width": 80 },
                "user": { "uid": 1, "gid": 1, "umask": 18, "additionalGids": [5, 6] },
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                "cwd": "/root",
                "args": ["/usr/bin/sleep", "100"],
                "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }],
                "apparmorProfile": "acme_secure_profile",
                "selinuxLabel": "system_u:system_r:svirt_lxc_net_t:s0:c124,c675",
                "ioPriority": { "class": "IOPRIO_CLASS_IDLE", "priority": 4 },
                "scheduler": { "policy": "SCHED_DEADLINE", "nice": -5, "priority": 0, "flags": ["SCHED_FLAG_RESET_ON_FORK"], "runtime": 10000000, "deadline": 20000000, "period": 30000000 },
                "execCPUAffinity": { "initial": "7", "final": "0-3,7" },
                "noNewPrivileges": true,
                "oomScoreAdj": 100,
                "capabilities": {
                    "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                    "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                    "inheritable": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                    "effective": ["CAP_AUDIT_WRITE", "CAP_KILL"],
                    "ambient": ["CAP_NET_BIND_SERVICE"]
                }
            },
            "root": { "path": "rootfs", "readonly": true },
            "hostname": "slartibartfast",
            "domainname": "example.org",
            "mounts": [
                { "destination": "/proc", "type": "proc", "source": "proc" },
                { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                { "destination": "/data", "type": "bind", "source": "/volumes/data", "options": ["rbind", "idmap"],
                  "uidMappings": [{ "containerID": 0, "hostID": 1000, "size": 65536 }], "gidMappings": [{ "containerID": 0, "hostID": 1000, "size": 65536 }] }
            ],
            "hooks": {
                "prestart": [
                    { "path": "/usr/bin/fix-mounts", "args": ["fix-mounts", "arg1", "arg2"], "env": ["key1=value1"] },
                    { "path": "/usr/bin/setup-network" }
                ],
                "createRuntime": [{ "path": "/usr/bin/fix-mounts", "args": ["fix-mounts", "arg1", "arg2"], "env": ["key1=value1"] }],
                "createContainer": [{ "path": "/usr/bin/mount-hook", "args": ["-mount", "arg1", "arg2"], "env": ["key1=value1"] }],
                "startContainer": [{ "path": "/usr/bin/refresh-ldcache" }],
                "poststart": [{ "path": "/usr/bin/notify-start", "timeout": 5 }],
                "poststop": [{ "path": "/usr/sbin/cleanup.sh", "args": ["cleanup.sh", "-f"] }]
            },
            "linux": {
                "devices": [
                    { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0 },
                    { "path": "/dev/sda", "type": "b", "major": 8, "minor": 0, "fileMode": 432, "uid": 0, "gid": 0 }
                ],
                "uidMappings": [{ "containerID": 0, "hostID": 1000, "size": 32000 }],
                "gidMappings": [{ "containerID": 0, "hostID": 1000, "size": 32000 }],
                "timeOffsets": { "monotonic": { "secs": 172800, "nanosecs": 0 }, "boottime": { "secs": -86400, "nanosecs": 500 } },
                "sysctl": { "net.ipv4.ip_forward": "1", "net.core.somaxconn": "256" },
                "cgroupsPath": "/myRuntime/myContainer",
                "resources": {
                    "network": { "classID": 1048577, "priorities": [{ "name": "eth0", "priority": 500 }, { "name": "eth1", "priority": 1000 }] },
                    "pids": { "limit": 32771 },
                    "hugepageLimits": [{ "pageSize": "2MB", "limit": 9223372036854772000 }, { "pageSize": "64KB", "limit": 1000000 }],
                    "memory": { "limit": 536870912, "reservation": 536870912, "swap": 536870912, "kernel": -1, "kernelTCP": -1, "swappiness": 0, "disableOOMKiller": false, "useHierarchy": true, "checkBeforeUpdate": true },
                    "cpu": { "shares": 1024, "quota": 1000000, "burst": 1000000, "period": 500000, "realtimeRuntime": 950000, "realtimePeriod": 1000000, "cpus": "2-3", "mems": "0-7", "idle": 0 },
                    "devices": [
                        { "allow": false, "access": "rwm" },
                        { "allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw" },
                        { "allow": true, "type": "b", "major": 8, "minor": 0, "access": "r" }
                    ],
                    "blockIO": {
                        "weight": 10, "leafWeight": 10,
                        "weightDevice": [{ "major": 8, "minor": 0, "weight": 500, "leafWeight": 300 }, { "major": 8, "minor": 16, "weight": 500 }],
                        "throttleReadBpsDevice": [{ "major": 8, "minor": 0, "rate": 600 }],
                        "throttleWriteIOPSDevice": [{ "major": 8, "minor": 16, "rate": 300 }],
                        "throttleReadIOPSDevice": [],
                        "throttleWriteBpsDevice": []
                    },
                    "rdma": { "mlx5_1": { "hcaHandles": 3, "hcaObjects": 10000 }, "mlx4_0": { "hcaObjects": 1000 } },
                    "unified": { "io.max": "259:0 rbps=2097152 wiops=120", "memory.high": "1073741824" }
                },
                "rootfsPropagation": "slave",
                "seccomp": {
                    "defaultAction": "SCMP_ACT_ERRNO",
                    "defaultErrnoRet": 38,
                    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                    "flags": ["SECCOMP_FILTER_FLAG_LOG"],
                    "listenerPath": "/run/seccomp-agent.socket",
                    "listenerMetadata": "metadata",
                    "syscalls": [
                        { "names": ["bdflush", "io_pgetevents", "kexec_file_load", "kexec_load"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 },
                        { "names": ["accept", "accept4", "read", "write"], "action": "SCMP_ACT_ALLOW" },
                        { "names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 0, "valueTwo": 0, "op": "SCMP_CMP_EQ" }] },
                        { "names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ" }] },
                        { "names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ" }] },
                        { "names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22, "args": [{ "index": 0, "value": 40, "valueTwo": 0, "op": "SCMP_CMP_EQ" }] }
                    ]
                },
                "maskedPaths": ["/proc/kcore"],
                "readonlyPaths": ["/proc/sys"],
                "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811",
                "personality": { "domain": "LINUX32", "flags": [] },
                "intelRdt": { "closID": "guaranteed_group", "l3CacheSchema": "L3:0=7f0;1=1f", "memBwSchema": "MB:0=20;1=70", "enableMonitoring": true, "schemata": ["L2:0=ff"], "x": null, "n": 1.50 }
            },
            "annotations": { "com.example.key1": "value1", "com.example.key2": "value2" }
        }
        """;

    public static TheoryData<string, string> Configs() => new()
    {
        { "runc spec", RuncSpec },
        { "config.md example", SpecExample },
        { "unknown properties at every level", """
            {"zz":{"process":{"args":[1]}},"process":{"zz":[{"a":[[]]}],"user":{"zz":null,"uid":1},"args":["a"],"capabilities":{"zz":1}},
             "linux":{"zz":"x","resources":{"zz":{},"memory":{"zz":[1,2],"limit":5}},"seccomp":{"syscalls":[{"zz":true,"names":["a"],"args":[{"zz":{}}]}]}},
             "Process":{"args":5},"ARGS":[],"$id":"1","$ref":"x","$type":"t","$values":[1],"":{}}
            """ },
        { "nulls everywhere they are allowed", """
            {"ociVersion":null,"process":{"terminal":null,"consoleSize":null,"user":null,"args":null,"env":["a",null],"cwd":null,"capabilities":{"bounding":null},
             "rlimits":[null],"oomScoreAdj":null,"scheduler":{"policy":null,"nice":null},"ioPriority":null},"root":{"path":null,"readonly":null},
             "hostname":null,"mounts":[null,{"destination":null,"options":[null]}],"hooks":{"prestart":null,"poststop":[null]},
             "linux":{"timeOffsets":{"x":null},"devices":[{"type":null,"path":null,"fileMode":null}],"resources":{"memory":{"limit":null},"rdma":{"a":null},"unified":{"a":null}},
             "seccomp":{"defaultAction":null,"syscalls":[{"names":null,"action":null,"errnoRet":null,"args":null}]},"sysctl":{"a":null},"intelRdt":{"a":null},"personality":null},
             "annotations":{"a":null}}
            """ },
        { "duplicates: the last wins", """
            {"hostname":"a","hostname":"b","process":{"terminal":true,"args":["x"]},"process":{"args":["y"],"args":["z"],"user":{"uid":1},"user":{"gid":2}},
             "annotations":{"a":"1","a":"2","b":"3"},"annotations":{"c":"4"},"linux":{"sysctl":{"k":"1","k":null},"resources":{"unified":{"x":"1","x":"2"}}}}
            """ },
        { "empty arrays and objects", """
            {"process":{"args":[],"env":[],"user":{},"capabilities":{},"rlimits":[{}],"consoleSize":{}},"root":{},"mounts":[{}],"hooks":{},
             "linux":{"namespaces":[],"resources":{"devices":[],"memory":{},"cpu":{},"blockIO":{},"pids":{},"network":{},"rdma":{},"unified":{}},
             "seccomp":{"syscalls":[{}]},"timeOffsets":{},"intelRdt":{},"personality":{}},"annotations":{}}
            """ },
        { "escapes in names and strings", """
            {"pro\u0063ess":{"\u0061rgs":["\u00e9\n\t\"\\\/\ud83d\ude00"],"cwd":"\u002f"},"h\u006Fstname":"x","annotations":{"\u00e9":"\u0000","a\"b":"c"},"zz\u00e9":1}
            """ },
        { "numbers at the ends of their ranges", """
            {"process":{"user":{"uid":4294967295,"gid":0,"umask":0,"additionalGids":[0,4294967295]},"oomScoreAdj":-2147483648,"ioPriority":{"priority":2147483647},
             "rlimits":[{"hard":18446744073709551615,"soft":0}]},"linux":{"devices":[{"major":-9223372036854775808,"minor":9223372036854775807}],
             "resources":{"blockIO":{"weight":65535,"leafWeight":0},"memory":{"limit":-1,"swappiness":18446744073709551615}},
             "timeOffsets":{"monotonic":{"secs":-9223372036854775808,"nanosecs":4294967295}}}}
            """ },
        { "white space around everything", " \r\n\t{ \"hostname\" : \"a\" , \"process\" : { \"args\" : [ \"b\" ] } } \r\n\t" },
        { "an empty object", "{}" },
        { "a top-level null", "null" },
        { "deep unknown nesting within the limit", "{\"zz\":" + new string('[', 62) + new string(']', 62) + "}" },
        { "a BOM (refused by both)", "\uFEFF{}" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Configs_read_as_System_Text_Json_reads_them(string name, string json)
    {
        Assert.NotNull(name);
        AssertReadsLikeSystemTextJson(json);
    }

    [Fact]
    public void Examples_read_to_what_they_say()
    {
        var spec = SpecReader.Read(Encoding.UTF8.GetBytes(SpecExample))!;
        Assert.Equal(["/usr/bin/sleep", "100"], spec.Process!.Args!);
        Assert.Equal(-86400, spec.Linux!.TimeOffsets!["boottime"].Secs);
        Assert.Equal(4294967295UL, spec.Linux.Seccomp!.Syscalls![3].Args![0].Value);
        Assert.Equal(22U, spec.Linux.Seccomp.Syscalls[5].ErrnoRet);
        Assert.Equal(JsonValueKind.Null, spec.Linux.IntelRdt!["x"].ValueKind);
        Assert.Equal("guaranteed_group", spec.Linux.IntelRdt["closID"].GetString());
        var runc = SpecReader.Read(Encoding.UTF8.GetBytes(RuncSpec))!;
        Assert.Equal("rootfs", runc.Root!.Path);
        Assert.Null(runc.Mounts![0].Options);
        Assert.Null(SpecReader.Read("null"u8));
        Assert.Equal("1.2.0", SpecReader.Read("{}"u8)!.OciVersion);
        Assert.Equal("/", SpecReader.Read("""{"process":{}}"""u8)!.Process!.Cwd);
        Assert.Null(SpecReader.Read("""{"mounts":[{"destination":null}]}"""u8)!.Mounts![0].Destination);
    }

    [Fact]
    public void Podmans_seccomp_sections_read_as_System_Text_Json_reads_them()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "seccomp", "podman");
        string[] files = Directory.GetFiles(dir, "*.json");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            var seccomp = JsonNode.Parse(File.ReadAllText(file))!["seccomp"];
            var config = new JsonObject { ["process"] = new JsonObject { ["args"] = new JsonArray("sh") }, ["linux"] = new JsonObject { ["seccomp"] = seccomp?.DeepClone() } };
            var (ours, theirs) = BothRead(Encoding.UTF8.GetBytes(config.ToJsonString()));
            Assert.Equal(theirs, ours);
            Assert.NotEqual("JsonException", ours);
        }
    }

    [Fact]
    public void Unknown_properties_and_duplicates_in_every_object_change_nothing()
    {
        foreach (byte[] json in (byte[][])[JsonSerializer.SerializeToUtf8Bytes(Filled(), RuntimeJsonContext.Default.Spec), Encoding.UTF8.GetBytes(SpecExample)])
        {
            var output = new MemoryStream();
            using (var writer = new Utf8JsonWriter(output))
            {
                using var document = JsonDocument.Parse(json);
                Rewrite(document.RootElement, writer);
            }
            byte[] rewritten = output.ToArray();
            var (ours, theirs) = BothRead(rewritten);
            Assert.Equal(theirs, ours);
            Assert.Equal(Write(JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.Spec)), ours);
        }
    }

    /// <summary>Properties whose value is a map (Dictionary): their keys are data, not properties.</summary>
    private static readonly string[] Maps = ["annotations", "sysctl", "unified", "timeOffsets", "rdma", "intelRdt"];

    /// <summary>
    /// The JSON again, with an unknown property in every object (not in maps: <paramref name="map"/> names the map
    /// <paramref name="e"/> is) and each property or key first given another value (the last wins). intelRdt's values
    /// are kept as they are: they are read as JSON elements.
    /// </summary>
    private static void Rewrite(JsonElement e, Utf8JsonWriter w, string? map = null)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                if (map is null)
                {
                    w.WritePropertyName("zz-unknown");
                    w.WriteRawValue("""{"process":{"args":[1]},"a":[[{"b":null}],true]}""");
                }
                foreach (var p in e.EnumerateObject())
                {
                    w.WritePropertyName(p.Name);
                    switch (p.Value.ValueKind)
                    {
                        case JsonValueKind.Object: w.WriteRawValue("{}"); break;
                        case JsonValueKind.Array: w.WriteRawValue("[]"); break;
                        case JsonValueKind.String: w.WriteStringValue("duplicate"); break;
                        case JsonValueKind.True or JsonValueKind.False: w.WriteBooleanValue(p.Value.ValueKind == JsonValueKind.False); break;
                        default: p.Value.WriteTo(w); break;
                    }
                    w.WritePropertyName(p.Name);
                    if (map == "intelRdt") p.Value.WriteTo(w);
                    else Rewrite(p.Value, w, map is null && Maps.Contains(p.Name) ? p.Name : null);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) Rewrite(item, w);
                w.WriteEndArray();
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }

    private static readonly string[] Replacements =
    [
        "null", "\"x\"", "\"1\"", "\"\"", "0", "-0", "1", "-1", "1.5", "1e2", "1.0", "true", "false", "[]", "{}", "[null]", "{\"k\":null}", "[1]", "[\"x\"]",
        "{\"k\":1}", "{\"k\":\"x\"}", "{\"k\":{}}", "[{}]", "65535", "65536", "2147483647", "2147483648", "-2147483649", "4294967295", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616", "1e99",
        "\"\\ud800\"", "{\"\\ud800\":\"x\"}",
    ];

    [Fact]
    public void Every_value_replaced_by_another_reads_as_System_Text_Json_reads_it()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(Filled(items: 1), RuntimeJsonContext.Default.Spec);
        var starts = new List<(int Start, int End)>();
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.EndObject or JsonTokenType.EndArray) continue;
            var end = reader;
            end.Skip();
            starts.Add(((int)reader.TokenStartIndex, (int)end.BytesConsumed));
        }
        Assert.True(starts.Count > 200, $"only {starts.Count} values");
        int differences = 0;
        var report = new StringBuilder();
        foreach (var (start, end) in starts)
        {
            foreach (string replacement in Replacements)
            {
                byte[] mutated = [.. json.AsSpan(0, start), .. Encoding.UTF8.GetBytes(replacement), .. json.AsSpan(end)];
                var (ours, theirs) = BothRead(mutated);
                if (ours == theirs) continue;
                if (differences++ < 5) report.Append($"value at {start} replaced by {replacement}: ours {Head(ours)}, System.Text.Json's {Head(theirs)}\n");
            }
        }
        Assert.True(differences == 0, $"{differences} differences:\n{report}");
    }

    private static string Head(string s) => s.Length <= 60 ? s : s[..60] + "...";

    // ---- errors ----

    [Theory]
    [InlineData("""{"process":{"args":["a","b",3]}}""", "process.args[2]: expected a string, found a number")]
    [InlineData("""{"hostname":5}""", "hostname: expected a string, found a number")]
    [InlineData("""{"hostname":{}}""", "hostname: expected a string, found an object")]
    [InlineData("""{"process":{"user":{"uid":"0"}}}""", "process.user.uid: expected an unsigned 32-bit integer, found a string")]
    [InlineData("""{"process":{"user":{"uid":null}}}""", "process.user.uid: expected an unsigned 32-bit integer, found null")]
    [InlineData("""{"process":{"user":{"uid":-1}}}""", "process.user.uid: -1 is not an unsigned 32-bit integer")]
    [InlineData("""{"process":{"user":{"additionalGids":[1,4294967296]}}}""", "process.user.additionalGids[1]: 4294967296 is not an unsigned 32-bit integer")]
    [InlineData("""{"linux":{"resources":{"memory":{"limit":1e99}}}}""", "linux.resources.memory.limit: 1e99 is not a 64-bit integer")]
    [InlineData("""{"linux":{"resources":{"memory":{"limit":9223372036854775808}}}}""", "linux.resources.memory.limit: 9223372036854775808 is not a 64-bit integer")]
    [InlineData("""{"linux":{"resources":{"blockIO":{"weight":65536}}}}""", "linux.resources.blockIO.weight: 65536 is not an unsigned 16-bit integer")]
    [InlineData("""{"linux":{"timeOffsets":{"monotonic":{"secs":1.5}}}}""", "linux.timeOffsets.monotonic.secs: 1.5 is not a 64-bit integer")]
    [InlineData("""{"linux":{"seccomp":{"syscalls":[{"names":["read"]},{"names":["x"],"args":[{"index":-2}]}]}}}""", "linux.seccomp.syscalls[1].args[0].index: -2 is not an unsigned 32-bit integer")]
    [InlineData("""{"process":{"terminal":1}}""", "process.terminal: expected true or false, found a number")]
    [InlineData("""{"linux":{"resources":{"devices":[{"allow":"true"}]}}}""", "linux.resources.devices[0].allow: expected true or false, found a string")]
    [InlineData("""{"process":[]}""", "process: expected an object, found an array")]
    [InlineData("""{"mounts":{}}""", "mounts: expected an array, found an object")]
    [InlineData("""{"mounts":[5]}""", "mounts[0]: expected an object, found a number")]
    [InlineData("""{"annotations":[]}""", "annotations: expected an object, found an array")]
    [InlineData("""{"annotations":{"io.k8s/x":1}}""", "annotations['io.k8s/x']: expected a string, found a number")]
    [InlineData("""{"hostname":"\ud800"}""", "hostname: the string is not valid UTF-8 or holds an invalid \\u escape")]
    [InlineData("""{"annotations":{"a":"b","\udc00":"x"}}""", "annotations: a property name is not valid UTF-8")]
    [InlineData("""{"zz\ud800":1}""", "top level: a property name holds an invalid \\u escape")]
    [InlineData("[]", "top level: expected an object, found an array")]
    [InlineData("5", "top level: expected an object, found a number")]
    public void Wrong_values_are_errors_that_say_where(string json, string message)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(bytes, RuntimeJsonContext.Default.Spec));
        var e = Assert.Throws<JsonException>(() => SpecReader.Read(bytes));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, e.LineNumber);
        Assert.NotNull(e.BytePositionInLine);
    }

    [Theory]
    [InlineData("""{"process":{"args":["a",""", "$.process.args")]
    [InlineData("""{"process":{"terminal":tru}}""", "$.process.terminal")]
    [InlineData("""{"hostname":"a" /* comment */}""", "$.hostname")]
    [InlineData("""{"hostname":"a",}""", "$.hostname")]
    [InlineData("""{"process":{"args":["a",]}}""", "$.process.args[0]")]
    [InlineData("""{} {}""", "$")]
    [InlineData("", "$")]
    [InlineData("  ", "$")]
    public void Malformed_json_is_an_error_with_its_place(string json, string path)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(bytes, RuntimeJsonContext.Default.Spec));
        var e = Assert.Throws<JsonException>(() => SpecReader.Read(bytes));
        Assert.StartsWith(path, e.Path, StringComparison.Ordinal);
        Assert.NotNull(e.LineNumber);
    }

    [Fact]
    public void Nesting_deeper_than_64_is_an_error()
    {
        byte[] deep = Encoding.UTF8.GetBytes("{\"zz\":" + new string('[', 64) + new string(']', 64) + "}");
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(deep, RuntimeJsonContext.Default.Spec));
        Assert.StartsWith("$.zz[0][0]", Assert.Throws<JsonException>(() => SpecReader.Read(deep)).Path, StringComparison.Ordinal);
        byte[] deepest = Encoding.UTF8.GetBytes("{\"zz\":" + new string('[', 63) + new string(']', 63) + "}");
        Assert.NotNull(SpecReader.Read(deepest));
    }

    [Fact]
    public void Errors_read_as_one_line_with_their_place()
    {
        var e = Assert.Throws<JsonException>(() => SpecReader.Read("{\n  \"process\": {\n    \"args\": [\"a\", 3]\n  }\n}"u8));
        Assert.Equal("process.args[1]: expected a string, found a number", e.Message);
        Assert.Equal("invalid JSON at line 3, column 19: process.args[1]: expected a string, found a number", ErrorText.Json(e));

        var malformed = Assert.Throws<JsonException>(() => SpecReader.Read("{\n  \"process\": {\n    \"args\": [\"a\", x]\n  }\n}"u8));
        string text = ErrorText.Json(malformed);
        Assert.StartsWith("invalid JSON at line 3, column 19 (at $.process.args", text, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Bundle_config_errors_name_the_file_and_the_place()
    {
        var e = Assert.Throws<RuntimeException>(() => BundleConfig.Parse("""{"process":{"args":[1]},"root":{}}"""u8.ToArray(), "/b/config.json"));
        Assert.Equal("/b/config.json: invalid JSON at line 1, column 21: process.args[0]: expected a string, found a number", e.Message);
        Assert.Equal("/b/config.json: empty", Assert.Throws<RuntimeException>(() => BundleConfig.Parse("null"u8.ToArray(), "/b/config.json")).Message);
        Assert.Equal(["sh"], BundleConfig.Parse(Encoding.UTF8.GetBytes(RuncSpec), "/b/config.json").Process!.Args!);
    }

    [Fact]
    public void Inputs_over_16_MiB_are_refused()
    {
        byte[] big = new byte[SpecReader.MaxBytes + 1];
        big.AsSpan().Fill((byte)' ');
        big[0] = (byte)'{';
        big[^1] = (byte)'}';
        var e = Assert.Throws<JsonException>(() => SpecReader.Read(big));
        Assert.Contains("larger than", e.Message, StringComparison.Ordinal);
        big[SpecReader.MaxBytes - 1] = (byte)'}';
        Assert.NotNull(SpecReader.Read(big.AsSpan(0, SpecReader.MaxBytes)));
    }
}
