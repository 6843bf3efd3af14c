using System.Globalization;
using Skiff.EndToEnd.Harness;
using Skiff.EndToEnd.Runtime;
using Skiff.TestSupport;
using Xunit.Abstractions;

namespace Skiff.EndToEnd.Cli;

/// <summary>
/// The runc CVE-2021-30465 race through `skiff run -v`: a named volume is shared, so whatever another container
/// does inside it (here the exchange loop, run on the volume's directory as that container would) happens on the
/// path of a second container's mount destination. A directory in the volume trades places with a symbolic link to
/// a host directory while `skiff run -v VOL:/data -v SRC:/data/race/m` makes its mounts: every run's bind lands
/// inside the container (in the directory, or under the root's own copy of the link's target), the host directory
/// gets nothing. `make stress` raises the attempts.
/// </summary>
[Collection(SkiffCollection.Name)]
public sealed class VolumeRaceAttackTests(SkiffEnvironment env, ITestOutputHelper output) : IDisposable
{
    private readonly string _store = "vrace-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _host = Directory.CreateTempSubdirectory("skiff-host-").FullName;

    public void Dispose()
    {
        env.SkiffIn(_store, "rm", "-f", "-a", "-t", "0");
        Directory.Delete(_host, recursive: true);
    }

    [RootFact]
    public void Swapping_a_directory_in_a_shared_volume_for_a_link_never_puts_a_mount_on_the_host()
    {
        // A whole `skiff run` per attempt: make stress's SKIFF_STRESS_ITERATIONS (runtime-sized) over ten.
        int attempts = int.TryParse(Environment.GetEnvironmentVariable("SKIFF_STRESS_ITERATIONS"), out int n) ? Math.Max(8, n / 10) : 8;
        File.WriteAllText(Path.Combine(_host, "victim"), "host");
        string source = Path.Combine(env.Work, _store + "-src");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "bound"), "bound");
        Assert.Equal(0, env.SkiffIn(_store, "volume", "create", "shared").ExitCode);
        string volume = env.SkiffIn(_store, "volume", "inspect", "shared", "--format", "{{.Mountpoint}}").Stdout.Trim();
        Assert.True(Directory.Exists(volume), volume);
        string race = Path.Combine(volume, "race"), link = race + ".link";
        Directory.CreateDirectory(race);
        File.CreateSymbolicLink(link, _host);
        Assert.Equal(0, env.SkiffIn(_store, "pull", "--tls-verify=false", env.Busybox).ExitCode);

        using var swapper = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(RootfsModes.ExchangeLoop, [race, link])
        {
            RedirectStandardOutput = true,
        })!;
        int ok = 0, viaLink = 0, refused = 0;
        try
        {
            for (int i = 0; i < attempts; i++)
            {
                var r = env.SkiffIn(_store, "run", "--rm", "-v", "shared:/data", "-v", $"{source}:/data/race/m", env.Busybox,
                    "cat", "/proc/self/mountinfo");
                AssertHostUntouched();
                if (r.ExitCode != 0)
                {
                    // A clean refusal (the destination changed under the mount) is fine: one line, podman's exit code.
                    Assert.True(r.ExitCode == 125, r.ToString());
                    Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    refused++;
                    continue;
                }
                var points = r.Stdout.Split('\n').Where(l => l.Contains(" - ", StringComparison.Ordinal)).Select(l => l.Split(' ')[4]).ToList();
                Assert.Single(points, p => p is "/data/race/m" or "/data/race.link/m" || p == $"{_host}/m");
                if (points.Contains($"{_host}/m")) viaLink++;
                ok++;
            }
        }
        finally
        {
            Command.Run("kill", ["-TERM", swapper.Id.ToString(CultureInfo.InvariantCulture)]);
            swapper.WaitForExit();
        }
        string swaps = swapper.StandardOutput.ReadToEnd().Trim();
        output.WriteLine($"{attempts} runs: {ok} ran ({viaLink} with the bind under the root's copy of the link's target), {refused} refused; {swaps} swaps");
        Assert.Equal(0, swapper.ExitCode); // the swapping really went on all along
        Assert.NotEqual("0", swaps);
        AssertHostUntouched();
    }

    private void AssertHostUntouched()
    {
        Assert.Equal("victim", string.Join(',', Directory.EnumerateFileSystemEntries(_host).Select(Path.GetFileName).Order(StringComparer.Ordinal)));
        Assert.Equal("host", File.ReadAllText(Path.Combine(_host, "victim")));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Split(' ')[4].StartsWith(_host, StringComparison.Ordinal));
    }
}
