using System.Diagnostics;
using Skiff.Interop;

namespace Skiff.Tests.Interop;

/// <summary>Thousands of clones while other threads churn the GC: none may hang (`make stress`: SKIFF_STRESS_ITERATIONS per worker).</summary>
[Collection(ProcessSpawningCollection.Name)]
public class CloneStressTests
{
    private static readonly TimeSpan PerStart = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task TwoThousandStartsUnderGcPressureNeverHang()
    {
        bool root = Libc.GetEUid() == 0;
        using var stop = new CancellationTokenSource();
        var allocators = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            var keep = new List<byte[]>();
            while (!stop.IsCancellationRequested)
            {
                keep.Add(new byte[Random.Shared.Next(16, 64 * 1024)]);
                if (keep.Count > 2000) keep.Clear();
            }
        }) { IsBackground = true }).ToList();
        allocators.ForEach(t => t.Start());
        int gen0Before = GC.CollectionCount(0);
        try
        {
            var workers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                int starts = int.TryParse(Environment.GetEnvironmentVariable("SKIFF_STRESS_ITERATIONS"), out int n) ? n : 1000;
                for (int i = 0; i < starts; i++)
                {
                    ulong flags = root && i % 10 == 0 ? CloneFlags.NewUser | CloneFlags.NewPid | CloneFlags.NewNs | CloneFlags.NewUts : 0;
                    var task = Task.Run(() =>
                    {
                        using var child = CloneChild.Run(new CloneStartInfo { Path = "/bin/true", Args = ["true"], Env = [], NamespaceFlags = flags });
                        return child.WaitForExit();
                    });
                    var finished = await Task.WhenAny(task, Task.Delay(PerStart));
                    Assert.True(finished == task, $"start {i} of worker {w} (flags 0x{flags:x}) did not finish");
                    Assert.Equal(0, await task);
                }
            })).ToArray();
            await Task.WhenAll(workers);
        }
        finally
        {
            stop.Cancel();
            allocators.ForEach(t => t.Join());
        }
        Assert.True(GC.CollectionCount(0) > gen0Before, "the allocators caused no collection: the test did not test anything");
    }
}
