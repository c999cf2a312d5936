using System.Diagnostics;
using System.Security.Cryptography;
using Analytics.Core.Pseudonymisation;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Analytics.Data.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Benchmarks.Ingest;

public sealed record CpuResult(string Name, long Cases, double CpuUsPerCase, double WallUsPerCase, double P50Us, double P99Us)
{
    /// <summary>JIT compilation time (all threads) inside the timed part, per case: tiering still at work, not the step's own cost.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public double JitUsPerCase { get; init; }

    /// <summary>Bytes allocated by the measuring thread per case.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public double AllocatedBytesPerCase { get; init; }
}

public sealed record StoreResult(string Name, int BatchSize, long Cases, double Seconds, double CasesPerSecond, double CpuUsPerCase);

/// <summary>Single-threaded, in-process measurements: pseudonymisation alone, the whole Prepare step, and the store.</summary>
public static class InProcessPhases
{
    public static CasePseudonymiser NewPseudonymiser() =>
        new(new KeyRing(new PseudonymisationKey("bench", RandomNumberGenerator.GetBytes(32))));

    /// <summary>CPU time of <see cref="CasePseudonymiser.Pseudonymise"/> per generated case (own jurisdictions), after warm-up.</summary>
    public static CpuResult Pseudonymisation(CasePayloads payloads, TimeSpan budget, bool settle = false)
    {
        var pseudonymiser = NewPseudonymiser();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var cases = payloads.Original;
        return Measure("pseudonymise", cases.Count, budget, i => pseudonymiser.Pseudonymise(cases[i], today), settle);
    }

    /// <summary>CPU time of the whole ingestion step per case: parse, validate, pseudonymise, canonical JSON, hash.</summary>
    public static CpuResult Prepare(CasePayloads payloads, TimeSpan budget, bool settle = false)
    {
        var ingestion = new CaseIngestion(NewPseudonymiser(), TimeProvider.System);
        var submitter = new Submitter(CasePayloads.Jurisdiction, CasePayloads.Authority);
        var bodies = Enumerable.Range(0, payloads.Count).Select(_ => payloads.NextCase()).ToArray();
        return Measure("prepare", bodies.Length, budget, i =>
        {
            var (prepared, errors) = ingestion.Prepare(bodies[i], submitter);
            if (prepared is null) throw new InvalidOperationException($"A benchmark case was rejected: {string.Join("; ", errors.Select(e => e.Pointer + " " + e.Message))}");
        }, settle);
    }

    private static CpuResult Measure(string name, int count, TimeSpan budget, Action<int> run, bool settle = false)
    {
        // Warm-up until tiered compilation has settled on the hot paths: every case at least twice and at least
        // three seconds (at most fifteen). Two seconds over the first 1,000 cases left a busy machine still running
        // Tier-0 code and the background Tier-1 JIT inside the timed part.
        var warm = Stopwatch.StartNew();
        for (var pass = 0; warm.Elapsed < TimeSpan.FromSeconds(15) && (pass < 2 || warm.Elapsed < TimeSpan.FromSeconds(3)); pass++)
            for (var i = 0; i < count && warm.Elapsed < TimeSpan.FromSeconds(15); i++) run(i);
        // --only in-process: on a busy machine the background tiering (instrumented code, then Tier-1) can still be
        // at work after the fixed warm-up; carry on until a whole pass over the cases compiles nothing (at most 60 s).
        while (settle && warm.Elapsed < TimeSpan.FromSeconds(60))
        {
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            for (var i = 0; i < count; i++) run(i);
            Thread.Sleep(200);
            if (System.Runtime.JitInfo.GetCompiledMethodCount() == compiled) break;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var ticks = new List<long>(count * 2);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long done = 0;
        do
        {
            for (var i = 0; i < count && clock.Elapsed < budget; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                run(i);
                ticks.Add(Stopwatch.GetTimestamp() - t0);
                done++;
            }
        } while (clock.Elapsed < budget && done < 20L * count);
        var wall = clock.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var jit = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;

        ticks.Sort();
        double Us(long t) => t * 1_000_000.0 / Stopwatch.Frequency;
        return new CpuResult(name, done, cpu.TotalMicroseconds / done, wall.TotalMicroseconds / done,
            Us(ticks[ticks.Count / 2]), Us(ticks[Math.Min(ticks.Count - 1, (int)(ticks.Count * 0.99))]))
        {
            JitUsPerCase = jit.TotalMicroseconds / done,
            AllocatedBytesPerCase = (double)allocated / done,
        };
    }

    /// <summary>CaseStore.UpsertAsync alone on a fresh database: one case per transaction, then 1,000 per transaction.</summary>
    public static async Task<IReadOnlyList<StoreResult>> StoreAsync(CasePayloads payloads, string workDir, TimeSpan budget, int? writerCacheMegabytes, CancellationToken ct)
    {
        var options = new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(workDir, "store.db")}" };
        if (writerCacheMegabytes is { } mb) options.SqliteWriterCacheMegabytes = mb;
        var db = new Db(options);
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(ct);
        var store = new CaseStore(db);
        var ingestion = new CaseIngestion(NewPseudonymiser(), TimeProvider.System);
        var submitter = new Submitter(CasePayloads.Jurisdiction, CasePayloads.Authority);
        CaseWrite Next() => ingestion.Prepare(payloads.NextCase(), submitter).Case?.Write ?? throw new InvalidOperationException("A benchmark case was rejected.");

        var results = new List<StoreResult>();
        foreach (var batch in new[] { 1, 1000 })
        {
            // Prepared up front so only the store is timed; enough for the budget at a generous rate.
            var pool = Enumerable.Range(0, batch == 1 ? 4_000 : 10_000).Select(_ => Next()).ToArray();
            await store.UpsertAsync(pool[..batch], ct);
            var at = batch;
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < budget && at + batch <= pool.Length)
            {
                await store.UpsertAsync(pool[at..(at + batch)], ct);
                at += batch;
            }
            var seconds = clock.Elapsed.TotalSeconds;
            var cases = at - batch;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            results.Add(new StoreResult(batch == 1 ? "store, 1 case per transaction" : "store, 1,000 cases per transaction", batch, cases, seconds, cases / seconds, cpu.TotalMicroseconds / cases));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return results;
    }
}
