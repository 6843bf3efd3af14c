using System.Text.Json.Nodes;

namespace Skiff.EndToEnd.Runtime;

/// <summary>
/// A bundle in a temporary directory: rootfs/bin/busybox with its applet links, and a config.json
/// shaped like podman's (namespaces, standard mounts, capabilities, masked paths, NOFILE 1048576).
/// </summary>
public sealed class TestBundle : IDisposable
{
    private static readonly string[] Applets = ["sh", "echo", "cat", "id", "ls", "hostname", "true", "false", "sleep", "grep", "wc", "mount", "readlink", "stat", "umask", "cut", "tr", "touch", "mkdir"];

    public string Dir { get; } = Directory.CreateTempSubdirectory("skiff-bundle-").FullName;
    public string StateRoot { get; }
    public JsonObject Config { get; }

    public TestBundle(params string[] args)
    {
        StateRoot = Path.Combine(Dir, "state");
        string bin = Path.Combine(Dir, "rootfs/bin");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(Path.Combine(Dir, "rootfs/etc"));
        File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
        foreach (string a in Applets) File.CreateSymbolicLink(Path.Combine(bin, a), "busybox");
        Config = DefaultConfig(args);
        // [cgroups] an absolute cgroup path of its own: tests never create cgroups under the test runner's own
        Config["linux"]!["cgroupsPath"] = "/skiff-e2e/" + Path.GetFileName(Dir);
    }

    public JsonObject Process => Config["process"]!.AsObject();

    private string? _saved;

    /// <summary>Writes config.json when it changed, by rename: a runtime may be reading it concurrently.</summary>
    public void Save()
    {
        string json = Config.ToJsonString();
        if (json == _saved) return;
        string temp = Path.Combine(Dir, ".config.json.tmp");
        File.WriteAllText(temp, json);
        File.Move(temp, Path.Combine(Dir, "config.json"), overwrite: true);
        _saved = json;
    }

    public string[] Global(params string[] rest) => ["--root", StateRoot, .. rest];

    public Task<RunResult> Runtime(params string[] args)
    {
        Save();
        return Runner.RunAsync(RuntimeBinary.Path, Global(args));
    }

    /// <summary>The unprivileged test user of the machine (rootless tests).</summary>
    public const string RootlessUser = "skifftest";

    /// <summary>
    /// skiff-runtime as rootless Skiff runs it: uid 0 of a user namespace the test user made (unshare --map-root-user),
    /// from a copy of the runtime in the bundle, which is given to the user.
    /// </summary>
    public async Task<RunResult> RuntimeRootless(params string[] args)
    {
        Save();
        string runtime = Path.Combine(Dir, "skiff-runtime");
        if (!File.Exists(runtime)) File.Copy(RuntimeBinary.Path, runtime);
        Assert.Equal(0, (await Runner.RunAsync("chown", ["-R", RootlessUser, Dir])).ExitCode);
        return await Runner.RunAsync("runuser", ["-u", RootlessUser, "--", "unshare", "--user", "--map-root-user", runtime, .. Global(args)]);
    }

    public void Dispose()
    {
        // A failed test may leave containers behind: kill them before removing their bundle.
        if (Directory.Exists(StateRoot))
            foreach (string dir in Directory.GetDirectories(StateRoot).Where(d => !Path.GetFileName(d).StartsWith('.')))
                Runner.RunAsync(RuntimeBinary.Path, Global("delete", "--force", Path.GetFileName(dir))).GetAwaiter().GetResult();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static JsonArray Strings(params string[] items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);

    private static JsonObject Mount(string dest, string type, string source, params string[] options) =>
        new() { ["destination"] = dest, ["type"] = type, ["source"] = source, ["options"] = Strings(options) };

    private static JsonObject DefaultConfig(string[] args)
    {
        var caps = Strings("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
            "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT");
        return new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0 },
                ["args"] = Strings(args),
                ["env"] = Strings("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"),
                ["cwd"] = "/",
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = caps.DeepClone(), ["effective"] = caps.DeepClone(), ["permitted"] = caps.DeepClone(),
                },
                ["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["hard"] = 1048576, ["soft"] = 1048576 }),
                ["noNewPrivileges"] = false,
            },
            ["root"] = new JsonObject { ["path"] = "rootfs", ["readonly"] = false },
            ["hostname"] = "skiffbox",
            ["mounts"] = new JsonArray(
                Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
                Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
                Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
                Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
                Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
                Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
                Mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro")),
            ["linux"] = new JsonObject
            {
                ["namespaces"] = new JsonArray(
                    new JsonObject { ["type"] = "pid" }, new JsonObject { ["type"] = "network" }, new JsonObject { ["type"] = "ipc" },
                    new JsonObject { ["type"] = "uts" }, new JsonObject { ["type"] = "mount" }, new JsonObject { ["type"] = "cgroup" }),
                ["maskedPaths"] = Strings("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"),
                ["readonlyPaths"] = Strings("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
            },
        };
    }
}
