using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Interop;
using Skiff.Oci.Runtime;
using Skiff.Runtime;
using Skiff.Runtime.Cli.Commands;
using Skiff.Runtime.Config;
using Skiff.Runtime.Options;
using Skiff.Runtime.Rootfs;
using Skiff.Runtime.State;
using Skiff.TestSupport;

namespace Skiff.Tests.Runtime;

/// <summary>What spec, list, state and features print, compared with runc where it is installed.</summary>
public sealed class RuntimeVerbOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-verbs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JsonNode Ours(bool rootless) => JsonNode.Parse(SpecCommand.Render(ExampleSpec.Create(rootless, Libc.GetEUid(), Libc.GetEGid())))!;

    private JsonNode Runcs(bool rootless)
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, rootless ? "rootless" : "rootful")).FullName;
        var psi = new ProcessStartInfo("runc", rootless ? ["spec", "--rootless", "-b", dir] : ["spec", "-b", dir]) { RedirectStandardError = true };
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
        }
        return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
    }

    /// <summary>Objects compared by key set (any order), arrays in order, leaves by value.</summary>
    private static void AssertSameJson(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        if (expected is JsonObject eo)
        {
            var ao = Assert.IsType<JsonObject>(actual);
            Assert.True(eo.Select(p => p.Key).Order().SequenceEqual(ao.Select(p => p.Key).Order()),
                $"{path}: keys {string.Join(',', eo.Select(p => p.Key))} vs {string.Join(',', ao.Select(p => p.Key))}");
            foreach (var (key, value) in eo) AssertSameJson(value, ao[key], $"{path}.{key}");
        }
        else if (expected is JsonArray ea)
        {
            var aa = Assert.IsType<JsonArray>(actual);
            Assert.True(ea.Count == aa.Count, $"{path}: {ea.ToJsonString()} vs {aa.ToJsonString()}");
            for (int i = 0; i < ea.Count; i++) AssertSameJson(ea[i], aa[i], $"{path}[{i}]");
        }
        else Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: {expected?.ToJsonString()} vs {actual?.ToJsonString()}");
    }

    [RequiresProgramsFact("runc")]
    public void SpecIsRuncsExample() => CompareWithRunc(rootless: false);

    [RequiresProgramsFact("runc")]
    public void RootlessSpecIsRuncsRootlessExample() => CompareWithRunc(rootless: true);

    private void CompareWithRunc(bool rootless)
    {
        var runc = Runcs(rootless);
        var ours = Ours(rootless);
        // The version and the host name are the runtime's own.
        Assert.Equal("1.2.0", ours["ociVersion"]!.GetValue<string>());
        Assert.Equal("skiff", ours["hostname"]!.GetValue<string>());
        foreach (var node in new[] { runc, ours })
        {
            node.AsObject().Remove("ociVersion");
            node.AsObject().Remove("hostname");
        }
        AssertSameJson(runc, ours);
    }

    [Fact]
    public void TheRootlessSpecMapsTheCallerAndDropsWhatNeedsPrivilege()
    {
        var spec = ExampleSpec.Create(rootless: true, euid: 1000, egid: 1001);
        var linux = spec.Linux!;
        Assert.Equal(["pid", "ipc", "uts", "mount", "user"], linux.Namespaces!.Select(n => n.Type));
        Assert.Equal((0u, 1000u, 1u), (linux.UidMappings![0].ContainerId, linux.UidMappings[0].HostId, linux.UidMappings[0].Size));
        Assert.Equal(1001u, linux.GidMappings![0].HostId);
        Assert.Null(linux.Resources);
        var sys = spec.Mounts!.Single(m => m.Destination == "/sys");
        Assert.Equal(("none", "/sys"), (sys.Type, sys.Source));
        Assert.Contains("rbind", sys.Options!);
        Assert.DoesNotContain(spec.Mounts!.SelectMany(m => m.Options ?? []), o => o.StartsWith("gid=", StringComparison.Ordinal));
        var rootful = ExampleSpec.Create(rootless: false, 0, 0);
        Assert.Contains(rootful.Linux!.Namespaces!, n => n.Type == "network");
        Assert.Equal("rwm", rootful.Linux.Resources!.Devices![0].Access);
    }

    [Fact]
    public void SpecIsWrittenWithTabsAndNeverOverwrites()
    {
        string bundle = Directory.CreateDirectory(Path.Combine(_dir, "b")).FullName;
        Assert.Equal(0, SpecCommand.Run(new SpecOptions { Bundle = bundle }));
        string text = File.ReadAllText(Path.Combine(bundle, "config.json"));
        Assert.StartsWith("{\n\t\"ociVersion\"", text, StringComparison.Ordinal);
        var e = Assert.Throws<RuntimeException>(() => SpecCommand.Run(new SpecOptions { Bundle = bundle }));
        Assert.Equal($"spec: {bundle}/config.json exists: remove it first", e.Message);
        Assert.Equal(text, File.ReadAllText(Path.Combine(bundle, "config.json")));
        // Not even through a dangling symlink planted where config.json goes.
        string other = Directory.CreateDirectory(Path.Combine(_dir, "c")).FullName;
        File.CreateSymbolicLink(Path.Combine(other, "config.json"), Path.Combine(_dir, "target"));
        Assert.Throws<RuntimeException>(() => SpecCommand.Run(new SpecOptions { Bundle = other }));
        Assert.False(File.Exists(Path.Combine(_dir, "target")));
        Assert.Contains("does not exist", Assert.Throws<RuntimeException>(() => SpecCommand.Run(new SpecOptions { Bundle = Path.Combine(_dir, "none") })).Message,
            StringComparison.Ordinal);
    }

    private static ListEntry Entry(string id, int pid, string status) => new()
    {
        OciVersion = "1.2.0", Id = id, Pid = pid, Status = status, Bundle = $"/bundles/{id}",
        Created = new DateTimeOffset(2026, 12, 1, 0, 58, 36, TimeSpan.Zero).AddTicks(4572507), Owner = "root",
    };

    [Fact]
    public void ListTableHasRuncsColumnsAndSpacing()
    {
        string table = ListCommand.Table([Entry("web", 26721, "running"), Entry("a-much-longer-id", 0, "stopped")]);
        Assert.Equal(
            "ID                 PID         STATUS      BUNDLE                      CREATED                        OWNER\n" +
            "web                26721       running     /bundles/web                2026-12-01T00:58:36.4572507Z   root\n" +
            "a-much-longer-id   0           stopped     /bundles/a-much-longer-id   2026-12-01T00:58:36.4572507Z   root\n", table);
        // runc's header with no container.
        Assert.Equal("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n", ListCommand.Table([]));
    }

    [Fact]
    public void ListJsonAndQuiet()
    {
        var entries = new[] { Entry("web", 7, "running") };
        using var doc = JsonDocument.Parse(ListCommand.Render(entries, new ListOptions { Format = "json" }));
        var e = doc.RootElement.EnumerateArray().Single();
        Assert.Equal(["ociVersion", "id", "pid", "status", "bundle", "created", "owner"], e.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("web", 7, "running", "root"), (e.GetProperty("id").GetString(), e.GetProperty("pid").GetInt32(), e.GetProperty("status").GetString(),
            e.GetProperty("owner").GetString()));
        Assert.Equal("[]\n", ListCommand.Render([], new ListOptions { Format = "json" }));
        Assert.Equal("web\n", ListCommand.Render(entries, new ListOptions { Quiet = true, Format = "json" }));
    }

    [Fact]
    public void ListReadsTheStateDirectory()
    {
        var store = new StateStore(Path.Combine(_dir, "root"));
        foreach (string id in new[] { "b2", "a1" })
        {
            store.CreateDir(id);
            store.Save(new ContainerRecord { Id = id, Pid = int.MaxValue, Bundle = $"/x/{id}", Created = DateTimeOffset.UnixEpoch });
        }
        store.CreateDir("half-created"); // no state.json yet
        Directory.CreateDirectory(Path.Combine(store.Root, "broken"));
        File.WriteAllText(Path.Combine(store.Root, "broken", "state.json"), "{not json");
        var warnings = new List<string>();
        var list = ListCommand.Collect(store, warnings.Add);
        Assert.Equal(["a1", "b2"], list.Select(e => e.Id));
        Assert.All(list, e => Assert.Equal(("stopped", 0), (e.Status, e.Pid)));
        Assert.Equal(ListCommand.UserName(Libc.GetEUid(), "/etc/passwd") ?? $"#{Libc.GetEUid()}", list[0].Owner);
        Assert.Equal(DateTimeOffset.UnixEpoch, list[0].Created);
        Assert.Single(warnings);
        Assert.StartsWith("list: broken: invalid JSON", warnings[0], StringComparison.Ordinal);
        Assert.Empty(ListCommand.Collect(new StateStore(Path.Combine(_dir, "no-such-root")), warnings.Add));
    }

    [Fact]
    public void UserNamesComeFromPasswd()
    {
        string passwd = Path.Combine(_dir, "passwd");
        File.WriteAllText(passwd, "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
        Assert.Equal("alice", ListCommand.UserName(1000, passwd));
        Assert.Null(ListCommand.UserName(1001, passwd));
    }

    [Fact]
    public void StateCarriesTheWholeStateWithCreated()
    {
        var store = new StateStore(Path.Combine(_dir, "root"));
        store.CreateDir("s1");
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        store.Save(new ContainerRecord { Id = "s1", Pid = int.MaxValue, Bundle = "/b", Created = created, Annotations = new() { ["a"] = "b" } });
        var state = store.ToOciState(store.Load("s1"));
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(state, RuntimeJsonContext.Default.State));
        var root = doc.RootElement;
        Assert.Equal(["ociVersion", "id", "status", "pid", "bundle", "annotations", "created"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("s1", "stopped", 0, "/b"), (root.GetProperty("id").GetString(), root.GetProperty("status").GetString(),
            root.GetProperty("pid").GetInt32(), root.GetProperty("bundle").GetString()));
        Assert.Equal(created, root.GetProperty("created").GetDateTimeOffset());
    }

    [Fact]
    public void FeaturesAreCompleteAndTruthful()
    {
        var f = RuntimeFeatures.Build();
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(f, RuntimeJsonContext.Default.Features));
        var root = doc.RootElement;
        Assert.Equal(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
            root.GetProperty("hooks").EnumerateArray().Select(h => h.GetString()));
        var linux = root.GetProperty("linux");
        foreach (string part in new[] { "namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt", "mountExtensions" })
            Assert.True(linux.TryGetProperty(part, out _), part);
        Assert.Equal(CapabilityNames.All, linux.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        // Every mount option listed is one the runtime interprets (not passed through as data).
        foreach (string option in f.MountOptions!)
        {
            var parsed = MountOptions.Parse([option]);
            Assert.True(parsed.Data.Count == 0, $"{option} is listed but passed to the kernel as data");
        }
        // Namespaces listed are the ones a config may ask for.
        foreach (string ns in f.Linux!.Namespaces!)
            BundleConfig.NamespaceFlags(new Spec { Linux = new Linux { Namespaces = [new Namespace { Type = ns }] } });
        // Profiles and labels are never applied by this runtime (configs asking for them are refused where the module is missing).
        Assert.False(f.Linux.Apparmor!.Enabled);
        Assert.False(f.Linux.Selinux!.Enabled);
    }
}
