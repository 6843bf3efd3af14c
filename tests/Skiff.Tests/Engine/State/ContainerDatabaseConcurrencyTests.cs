using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Skiff.Engine;
using Skiff.Engine.Containers;
using Skiff.Engine.State;
using Skiff.TestSupport;
using Xunit.Abstractions;
using static Skiff.Tests.Engine.State.StateRecords;

namespace Skiff.Tests.Engine.State;

/// <summary>Many writers at once, a writer killed mid-transaction, and timings (printed, never asserted).</summary>
public sealed class ContainerDatabaseConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private readonly StateScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Concurrent_reservations_keep_every_name_unique()
    {
        const int Threads = 8, PerThread = 50;
        var reserved = new ConcurrentBag<(string Id, string Name, string? Wanted)>();
        var unexpected = new ConcurrentQueue<Exception>();
        int refused = 0;
        using var start = new Barrier(Threads);
        var sw = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            // Each thread is a `skiff` of its own: its own connection, and all open the new file at once (WAL, schema).
            using var db = new ContainerDatabase(_scratch.DatabasePath);
            start.SignalAndWait();
            for (int i = 0; i < PerThread; i++)
            {
                string? wanted = i % 2 == 0 ? "shared-" + i.ToString(CultureInfo.InvariantCulture) : null;
                string id = NewId();
                try { reserved.Add((id, db.Reserve(id, wanted, Image, ["true"]), wanted)); }
                catch (EngineException e) when (wanted is not null && e.Message == NameInUse(wanted)) { Interlocked.Increment(ref refused); }
                catch (Exception e) { unexpected.Enqueue(e); }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        output.WriteLine($"{Threads} threads x {PerThread} Reserve: {sw.ElapsedMilliseconds} ms ({sw.Elapsed.TotalMilliseconds / (Threads * PerThread):F2} ms each)");

        Assert.Empty(unexpected);
        int named = PerThread / 2, generated = Threads * (PerThread - named);
        Assert.Equal(named + generated, reserved.Count);
        Assert.Equal(named * (Threads - 1), refused);
        Assert.All(reserved.Where(r => r.Wanted is not null), r => Assert.Equal(r.Wanted, r.Name));

        using var check = new ContainerDatabase(_scratch.DatabasePath);
        var all = check.All();
        Assert.Equal(reserved.Count, all.Count);
        Assert.Equal(all.Count, all.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        var byId = all.ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
        Assert.All(reserved, r => Assert.Equal(r.Name, byId[r.Id]));
        Assert.Equal("ok", check.CheckIntegrity());
    }

    /// <summary>
    /// sqlite3 (the CLI) writes ten rows per transaction in a loop and is killed with SIGKILL: the database opens
    /// whole (WAL recovery), holds only whole transactions, and takes writes again.
    /// </summary>
    [RequiresProgramsFact("sqlite3")]
    public void A_writer_killed_mid_transaction_leaves_the_database_whole()
    {
        using (var db = new ContainerDatabase(_scratch.DatabasePath)) db.Reserve(NewId(), "before", Image, ["true"]);

        var psi = new ProcessStartInfo(RequiresProgramsFactAttribute.Find("sqlite3")!, _scratch.DatabasePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var sqlite = Process.Start(psi)!;
        var errors = new StringBuilder();
        sqlite.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        sqlite.OutputDataReceived += (_, _) => { };
        sqlite.BeginErrorReadLine();
        sqlite.BeginOutputReadLine();
        var feeder = Task.Run(() =>
        {
            try
            {
                var stdin = sqlite.StandardInput;
                stdin.WriteLine("PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;");
                for (int t = 0; t < 100_000; t++)
                {
                    var sb = new StringBuilder("BEGIN IMMEDIATE;\n");
                    for (int i = 0; i < 10; i++)
                    {
                        var rec = StateRecords.Record($"{t:x8}{i:x2}".PadRight(64, '0'), $"crash-{t}-{i}");
                        sb.Append(CultureInfo.InvariantCulture, $"INSERT INTO containers (id, name, image_id, state, created, json) VALUES ('{rec.Id}', '{rec.Name}', '{rec.ImageId}', '{rec.State}', '{rec.Created.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'}', '{Json(rec).Replace("'", "''", StringComparison.Ordinal)}');\n");
                    }
                    stdin.Write(sb.Append("COMMIT;\n").ToString());
                }
                stdin.Close();
            }
            catch (IOException) { } // the pipe breaks when it is killed
        });

        // Let it commit a few transactions, then kill it wherever it is.
        var sw = Stopwatch.StartNew();
        long committed = 0;
        while (committed < 20 && sw.Elapsed < TimeSpan.FromSeconds(20) && !sqlite.HasExited)
        {
            Thread.Sleep(10);
            using var raw = _scratch.Raw();
            committed = (long)StateRecords.Scalar(raw, "SELECT count(*) FROM containers")!;
        }
        Thread.Sleep(Random.Shared.Next(0, 15));
        sqlite.Kill();
        sqlite.WaitForExit();
        feeder.Wait();
        lock (errors) Assert.True(committed >= 20, $"sqlite3 committed {committed} rows in {sw.Elapsed}: {errors}");

        using var db2 = new ContainerDatabase(_scratch.DatabasePath);
        Assert.Equal("ok", db2.CheckIntegrity());
        var all = db2.All();
        using (var raw = _scratch.Raw())
            Assert.Equal((long)all.Count, StateRecords.Scalar(raw, "SELECT count(*) FROM containers"));
        Assert.Equal(0, (all.Count - 1) % 10);
        db2.Reserve(NewId(), "after", Image, ["true"]);
        Assert.Equal("wal", db2.Pragma("journal_mode"));
        output.WriteLine($"killed after {sw.ElapsedMilliseconds} ms with {all.Count - 1} rows committed");
    }

    [Fact]
    public void Timings_of_opening_and_reading_500_records()
    {
        const int Records = 500, Rounds = 15;
        string dir = _scratch.Path("containers-db");
        Directory.CreateDirectory(dir);
        var t0 = DateTimeOffset.UtcNow;
        for (int i = 0; i < Records; i++)
        {
            var rec = StateRecords.Record(NewId(), "c" + i.ToString(CultureInfo.InvariantCulture));
            rec.Created = t0.AddSeconds(i);
            File.WriteAllText(Path.Combine(dir, rec.Id + ".json"), Json(rec));
        }
        using (var db = new ContainerDatabase(_scratch.DatabasePath)) Assert.Equal(Records, db.ImportJsonStore(dir));

        // JIT warm-up of both paths, then medians.
        ReadJsonFiles(dir);
        using (var db = new ContainerDatabase(_scratch.DatabasePath)) db.All();
        double open = Median(Rounds, () => { using var db = new ContainerDatabase(_scratch.DatabasePath); db.Find("c1"); });
        double openAll = Median(Rounds, () => { using var db = new ContainerDatabase(_scratch.DatabasePath); Assert.Equal(Records, db.All().Count); });
        double files = Median(Rounds, () => Assert.Equal(Records, ReadJsonFiles(dir)));
        using var warm = new ContainerDatabase(_scratch.DatabasePath);
        warm.All();
        double all = Median(Rounds, () => warm.All());
        double find = Median(Rounds, () => warm.Find("c250"));

        // The price of synchronous=FULL: one write transaction, against the same on a NORMAL connection.
        string id = warm.All()[0].Id;
        double updateFull = Median(Rounds, () => warm.Update(id, r => r.ExitCode = (r.ExitCode ?? 0) + 1));
        using var normal = _scratch.Raw();
        StateRecords.Execute(normal, "PRAGMA synchronous = NORMAL");
        double updateNormal = Median(Rounds, () => StateRecords.Execute(normal, $"BEGIN IMMEDIATE; UPDATE containers SET state = state WHERE id = '{id}'; COMMIT;"));

        output.WriteLine(FormattableString.Invariant($"{Records} records (JIT, test host): open+Find {open:F2} ms, open+All {openAll:F2} ms, warm All {all:F2} ms, warm Find {find:F3} ms"));
        output.WriteLine(FormattableString.Invariant($"same records as {Records} JSON files (ContainerStore's way): {files:F2} ms"));
        output.WriteLine(FormattableString.Invariant($"one write transaction: synchronous=FULL {updateFull:F2} ms, NORMAL {updateNormal:F2} ms"));
    }

    private static int ReadJsonFiles(string dir)
        => Directory.EnumerateFiles(dir, "*.json")
            .Select(f => System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(f), EngineJsonContext.Default.ContainerRecord))
            .Count(r => r is not null);

    private static double Median(int rounds, Action action)
    {
        var times = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[rounds / 2];
    }
}
