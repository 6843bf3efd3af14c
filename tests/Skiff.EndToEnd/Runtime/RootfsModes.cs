using System.Text.Json.Nodes;

namespace Skiff.EndToEnd.Runtime;

/// <summary>How skiff-runtime is run: as root; as rootless Skiff runs it (uid 0 in a user namespace of its
/// own, with its own mount namespace); or as on a kernel without openat2 and the new mount API (a seccomp
/// filter makes them fail with ENOSYS: the runtime falls back to mount(2) through /proc/self/fd/N and a
/// walk from descriptor to descriptor).</summary>
public enum RuntimeMode { Root, Rootless, OldKernel }

public static class RootfsModes
{
    public static TheoryData<RuntimeMode> All => [RuntimeMode.Root, RuntimeMode.Rootless, RuntimeMode.OldKernel];

    private static readonly Lazy<string> s_noMountApi = new(() => Compile("no-mount-api"));
    private static readonly Lazy<string> s_exchangeLoop = new(() => Compile("exchange-loop"));

    /// <summary>tests/fixtures/exchange-loop.c, built: swaps two names atomically until SIGTERM.</summary>
    public static string ExchangeLoop => s_exchangeLoop.Value;

    /// <summary>Runs skiff-runtime with <paramref name="args"/> (after --root) for this bundle, in a mode.</summary>
    public static Task<RunResult> Runtime(this TestBundle b, RuntimeMode mode, params string[] args)
    {
        b.Save();
        string[] runtime = [RuntimeBinary.Path, .. b.Global(args)];
        return mode switch
        {
            RuntimeMode.Rootless => Runner.RunAsync("unshare", ["--user", "--map-root-user", "--mount", .. runtime]),
            RuntimeMode.OldKernel => Runner.RunAsync(s_noMountApi.Value, runtime),
            _ => Runner.RunAsync(runtime[0], runtime[1..]),
        };
    }

    public static Task<RunResult> Run(this TestBundle b, RuntimeMode mode, string id = "c1") => b.Runtime(mode, "run", "--bundle", b.Dir, id);

    public static string Rootfs(this TestBundle b) => Path.Combine(b.Dir, "rootfs");

    public static void AddMount(this TestBundle b, string destination, string type, string? source, params string[] options)
    {
        var m = new JsonObject { ["destination"] = destination, ["type"] = type, ["options"] = new JsonArray([.. options.Select(o => (JsonNode)JsonValue.Create(o))]) };
        if (source is not null) m["source"] = source;
        b.Config["mounts"]!.AsArray().Add(m);
    }

    public static void RemoveMounts(this TestBundle b, Func<string, bool> destination)
    {
        var mounts = b.Config["mounts"]!.AsArray();
        foreach (var m in mounts.Where(m => destination(m!["destination"]!.GetValue<string>())).ToList()) mounts.Remove(m);
    }

    public static JsonObject Linux(this TestBundle b) => b.Config["linux"]!.AsObject();

    public static JsonArray Strings(params string[] items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);

    /// <summary>Adds busybox applets the default bundle lacks.</summary>
    public static void Applets(this TestBundle b, params string[] names)
    {
        foreach (string n in names)
        {
            string link = Path.Combine(b.Rootfs(), "bin", n);
            if (!File.Exists(link) && new FileInfo(link).LinkTarget is null) File.CreateSymbolicLink(link, "busybox");
        }
    }

    /// <summary>The mount points of a /proc/self/mountinfo text (unescaped enough for the paths tests use).</summary>
    public static List<(string MountPoint, string Options, string FsType, string Root)> MountInfo(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Where(f => f.Length > 9)
            .Select(f => (f[4], f[5], f[Array.IndexOf(f, "-") + 1], f[3]))];

    private static string Compile(string name)
    {
        string source = Path.Combine(RepoRoot(), $"tests/fixtures/{name}.c");
        string output = Path.Combine(Directory.CreateTempSubdirectory($"skiff-{name}-").FullName, name);
        var r = Runner.RunAsync("clang", ["-O2", "-o", output, source]).GetAwaiter().GetResult(); // clang: a build dependency (make deps)
        if (r.ExitCode != 0) throw new InvalidOperationException($"clang {source} failed: {r.Stderr}");
        return output;
    }

    private static string RepoRoot()
    {
        string? built = typeof(RootfsModes).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        foreach (string start in new[] { built ?? "/", AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Skiff.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Skiff.slnx)");
    }
}
