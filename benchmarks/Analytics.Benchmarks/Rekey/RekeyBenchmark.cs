using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Analytics.Api.Pseudonymisation;
using Analytics.Benchmarks.Suite;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Analytics.Data.Ingestion;
using Analytics.Data.Jobs;
using Analytics.Data.Pseudonymisation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Benchmarks.Rekey;

/// <summary>
/// What a key rotation costs: N generated cases stored through the real ingestion path (records with narratives,
/// tokens) in a SQLite store, then, per run, one more key added to the ring and the whole <c>rekey-tokens</c> job
/// (<see cref="RekeyJobs.RekeyTokensAsync"/>) timed as the service runs it, until every case is under the new key.
/// </summary>
public static class RekeyBenchmark
{
    public const string Usage = "rekey [--cases 100000] [--runs 2] [--seed 42] [--work DIR] [--out docs/benchmarks]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (!BenchRun.TryOptions(Usage, () =>
            {
                var o = (Cases: StepMeasure.Int(args, "--cases", 100_000), Runs: StepMeasure.Int(args, "--runs", 2), Seed: StepMeasure.Int(args, "--seed", 42));
                return o.Cases >= 1 && o.Runs >= 1 ? o : throw new ArgumentException("rekey: --cases and --runs must be at least 1.");
            }, out var options))
            return 2;
        var (cases, runs, seed) = options;
        var run = BenchRun.Begin("rekey", args);
        var ct = CancellationToken.None;
        Console.WriteLine($"rekey: {cases:N0} generated cases (seed {seed}), {runs} rotations; work directory {run.Work}");
        Console.WriteLine($"  {run.LoadBefore}");

        var path = Path.Combine(run.Work, $"rekey-{cases}-{Guid.NewGuid():n}.db");
        var db = new Db(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={path}" });
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(ct);
        // Keys fixed by the seed, so two runs move the same tokens.
        var ring = new KeyRing(Key(seed, 0));
        await new KeyRingStore(db, ring).RegisterAsync(ct);

        var steps = new List<TimedStep>();
        steps.Add(await TimeAsync("store the cases", () => StoreAsync(db, ring, cases, seed, ct)));
        // The file and its write-ahead log: the cases may not all be checkpointed into the file yet.
        var documents = new[] { path, path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length) / 1048576.0;

        // The generated cases are gone once stored: the job's peak is not to carry them.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var jobStore = new JobStore(db);
        // The job storage only holds the job's lock: nothing is queued here.
        var storage = new Hangfire.InMemory.InMemoryStorage();
        for (var i = 1; i <= runs; i++)
        {
            ring = ring.Append(Key(seed, i));
            var keys = new KeyRingStore(db, ring);
            await keys.RegisterAsync(ct);
            var job = new RekeyJobs(keys, jobStore, storage, NullLogger<RekeyJobs>.Instance);
            steps.Add(await TimeAsync($"rekey-tokens to key {i + 1}", () => job.RekeyTokensAsync(ct)));
            var under = await keys.CasesByKeyAsync(ct);
            if (under.Count != 1 || !under.ContainsKey(ring.Active.Id))
            {
                Console.Error.WriteLine("rekey: cases were left under an earlier key.");
                return 1;
            }
        }
        var loadAfter = LoadSampler.Uptime();
        Console.WriteLine($"  {loadAfter}");

        var markdown = Report(run, cases, seed, documents, steps, loadAfter);
        Console.WriteLine();
        Console.WriteLine(markdown);
        await run.WriteReportsAsync("rekey", markdown, new
        {
            command = run.Command,
            started = run.StartedText,
            machine = run.Machine,
            cases,
            seed,
            databaseMb = Math.Round(documents, 1),
            loadBefore = run.LoadBefore,
            loadAfter,
            steps,
        }, ct);
        await db.DisposeAsync();
        run.End();
        return 0;
    }

    private static PseudonymisationKey Key(int seed, int index) =>
        new($"bench-{index}", SHA256.HashData(Encoding.UTF8.GetBytes($"rekey-benchmark-{seed}-{index}")));

    // Generated and stored in chunks through the ingestion path, so the store holds what the service would: records with
    // scrubbed narratives, tokens, reference tokens.
    private static async Task<string> StoreAsync(Db db, KeyRing ring, int cases, int seed, CancellationToken ct)
    {
        var dataset = new CaseGenerator(new GeneratorOptions { Seed = seed, Count = cases }).Run();
        var ingestion = new CaseIngestion(new CasePseudonymiser(ring), TimeProvider.System);
        var store = new CaseStore(db, ring);
        var stored = 0;
        foreach (var chunk in dataset.Cases.Chunk(5_000))
        {
            var writes = new CaseWrite[chunk.Length];
            Parallel.For(0, chunk.Length, i => writes[i] = ingestion.Prepare(chunk[i].Case, null).Case?.Write
                ?? throw new InvalidOperationException("A generated case was rejected."));
            stored += (await store.UpsertAsync(writes, ct)).Count;
        }
        return $"{stored:N0} cases";
    }

    private static Task<TimedStep> TimeAsync(string name, Func<Task<string>> step) => StepMeasure.TimeAsync(name, step, nameWidth: 24);

    private static string Report(BenchRun run, int cases, int seed, double databaseMb, IReadOnlyList<TimedStep> steps, string loadAfter)
    {
        var markdown = new StringBuilder()
            .AppendLine("# Key rotation: moving stored cases to a new key")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Command: `{run.Command}`")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Run {run.Started:yyyy-MM-dd HH:mm} UTC on {run.Machine}.")
            .AppendLine()
            .Append(CultureInfo.InvariantCulture, $"{cases:N0} generated cases (seed {seed}) stored through the ingestion path in a SQLite store ({databaseMb:N0} MB), ")
            .Append("then for each run one key added to the ring and the whole `rekey-tokens` job timed as the service runs it ")
            .AppendLine("(batches of 250 cases, one transaction each: reference token, record, hash and tokens of every case moved to the new key).")
            .AppendLine()
            .AppendLine("| step | time | cases/s | processor time | allocated | process peak | outcome |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var r in steps)
        {
            var peak = r.PeakMb is { } mb ? mb.ToString("N0", CultureInfo.InvariantCulture) + " MB" : "n/a";
            var rate = r.Seconds > 0 ? (cases / r.Seconds).ToString("N0", CultureInfo.InvariantCulture) : "";
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Seconds:F3} s | {rate} | {r.CpuSeconds:F3} s | {r.AllocatedMb:N1} MB | {peak} | {r.Detail} |");
        }
        var peakNote = steps.All(r => r.PeakReset)
            ? "The process peak is VmHWM, reset before each step, so it is the step's own peak over what the process already held."
            : "The process peak is VmHWM; it could not be reset before each step, so it is the process's peak so far.";
        markdown
            .AppendLine()
            .AppendLine(peakNote + " Allocated is `GC.GetTotalAllocatedBytes(true)` over the step; processor time is the whole process's, all threads.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Load before: `{run.LoadBefore}`")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Load after: `{loadAfter}`");
        return markdown.ToString();
    }
}
