using Skiff.TestSupport.Registry;

namespace Skiff.EndToEnd.Harness;

/// <summary>
/// One per test run: the built binaries (SKIFF_OUT, else out/), a real registry (Debian's docker-registry) on a
/// free 127.0.0.1 port holding the busybox and layered test images pushed with skopeo, a private rootful store, and a
/// copy of the binaries the unprivileged test user (skifftest, made by .ci/run) can execute.
/// </summary>
public sealed class SkiffEnvironment : IDisposable
{
    public string RepoRoot { get; }
    public string Out { get; }
    public string Work { get; }
    public LocalRegistry LocalRegistry { get; }
    public string Registry => LocalRegistry.HostPort;
    public string TestUser { get; } = Environment.GetEnvironmentVariable("SKIFF_TEST_USER") ?? "skifftest";
    public string Busybox => $"{Registry}/library/busybox";
    public string Layered => $"{Registry}/library/layered";

    public SkiffEnvironment()
    {
        RepoRoot = FindRepoRoot();
        Out = Environment.GetEnvironmentVariable("SKIFF_OUT") is { Length: > 0 } o ? o : Path.Combine(RepoRoot, "out");
        foreach (string bin in new[] { "skiff", "skiff-runtime", "skiff-monitor", "skiff-init" })
            if (!File.Exists(Path.Combine(Out, bin)))
                throw new InvalidOperationException($"{Path.Combine(Out, bin)} is missing: build with `make` first (or set SKIFF_OUT)");
        Work = Directory.CreateTempSubdirectory("skiff-e2e-").FullName;
        File.SetUnixFileMode(Work, (UnixFileMode)0b111_101_101);
        // A copy the test user can reach (the checkout may sit under /root).
        Directory.CreateDirectory(Path.Combine(Work, "bin"));
        foreach (string bin in new[] { "skiff", "skiff-runtime", "skiff-monitor", "skiff-init" })
            File.Copy(Path.Combine(Out, bin), Path.Combine(Work, "bin", bin));
        LocalRegistry = LocalRegistry.StartAsync().GetAwaiter().GetResult();
        TestImages.PushBusybox(LocalRegistry, "library/busybox:latest");
        TestImages.PushLayered(LocalRegistry, "library/layered:latest");
    }

    public string SkiffPath => Path.Combine(Work, "bin", "skiff");

    /// <summary>skiff as root, with a store of its own under the work directory.</summary>
    public CommandResult Skiff(params string[] args) => SkiffIn("rootful", args);

    /// <summary>skiff as root with a named private store (tests that need an empty store).</summary>
    public CommandResult SkiffIn(string store, params string[] args)
    {
        var all = new List<string> { "--root", Path.Combine(Work, store, "root"), "--runroot", Path.Combine(Work, store, "run") };
        all.AddRange(args);
        return Command.Run(SkiffPath, all);
    }

    /// <summary>skiff as the unprivileged test user (rootless), its storage under the work directory.</summary>
    public CommandResult SkiffRootless(params string[] args)
    {
        string data = Path.Combine(Work, "rootless-data");
        if (!Directory.Exists(data))
        {
            Directory.CreateDirectory(data);
            Command.Must("chown", TestUser, data);
        }
        string home = Command.Must("getent", "passwd", TestUser).Stdout.Split(':')[5];
        var all = new List<string> { "-u", TestUser, "--", "env", "-i", $"HOME={home}", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", $"XDG_DATA_HOME={data}", SkiffPath };
        all.AddRange(args);
        return Command.Run("runuser", all);
    }

    public void Dispose()
    {
        LocalRegistry.Dispose();
        // Leftover mounts (a failed test) would make deletion fail: detach them first.
        foreach (string line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            string mountPoint = line.Split(' ')[4];
            if (mountPoint.StartsWith(Work, StringComparison.Ordinal)) Command.Run("umount", ["-l", mountPoint]);
        }
        Command.Run("rm", ["-rf", Work]);
    }

    private static string FindRepoRoot()
    {
        string? built = typeof(SkiffEnvironment).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        foreach (string start in new[] { built ?? "/", AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Skiff.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Skiff.slnx) above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class SkiffCollection : ICollectionFixture<SkiffEnvironment>
{
    public const string Name = "skiff";
}
