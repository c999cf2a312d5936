using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Analytics.Benchmarks.Suite;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Analytics.Data.Ingestion;
using Analytics.Data.Links;
using Microsoft.Extensions.Logging.Abstractions;
using static Analytics.Benchmarks.StepMeasure;

namespace Analytics.Benchmarks.Links;

/// <summary>One timed <see cref="LinkStore.RecomputeAsync"/> call and what it reported.</summary>
public sealed record LinkRun(string Name, double Seconds, double CpuSeconds, double AllocatedMb, double? PeakMb, bool PeakReset,
    int Groups, int LinkedCases, int CrossBorderGroups, int Rewritten, int NewAlerts, bool Skipped);

/// <summary>
/// The cost of the <c>compute-links</c> job's computation on a SQLite store of N generated cases, in one process: the
/// first full run, a second run with nothing changed, and a run after more cases were stored. Each call is made as the
/// job makes it when a steward asks for it (the job's write batch, never throttled) on one <see cref="LinkStore"/>, so
/// the second run sees what the job's next run would see.
/// </summary>
public static class LinkBenchmark
{
    public const string Usage = "links [--cases 100000] [--new 1000] [--seed 42] [--work DIR (kept; default a temporary directory, deleted)] [--out docs/benchmarks]";

    // The job's defaults: LinkOptions.WriteBatchSize, and the demo loader's slice of generated cases.
    private const int WriteBatchSize = 5_000;
    private const int SliceSize = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        if (!BenchRun.TryOptions(Usage, () =>
            {
                var o = (Cases: Int(args, "--cases", 100_000), Extra: Int(args, "--new", 1_000), Seed: Int(args, "--seed", 42));
                return o.Cases >= 1 && o.Extra >= 0 ? o : throw new ArgumentException("links: --cases must be at least 1 and --new at least 0.");
            }, out var options))
            return 2;
        var (cases, extra, seed) = options;
        var run = BenchRun.Begin("links", args);
        var (command, machine, started, loadBefore) = (run.Command, run.Machine, run.Started, run.LoadBefore);
        var path = Path.Combine(run.Work, $"links-{Guid.NewGuid():n}.db");
        Console.WriteLine($"links: {cases:N0} generated cases (seed {seed}), then {extra:N0} more; SQLite store {path}");
        Console.WriteLine($"  {loadBefore}");

        var ct = CancellationToken.None;
        var db = new Db(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={path}" });
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(ct);
        var store = new CaseStore(db);
        // A fixed key: the same seed gives the same tokens, so the same groups, from one run to the next.
        var ingestion = new CaseIngestion(new CasePseudonymiser(new KeyRing(new PseudonymisationKey("bench",
            SHA256.HashData(Encoding.UTF8.GetBytes($"links-benchmark-{seed}"))))), TimeProvider.System);

        var fill = Stopwatch.StartNew();
        var slices = (int)Math.Ceiling(cases / (double)SliceSize);
        var stored = await FillAsync(store, ingestion, seed, 0, cases, ct, (done, total) =>
            Console.WriteLine($"  {done:N0} of {total:N0} cases stored ({done / fill.Elapsed.TotalSeconds:N0} cases/s)"));
        var fillSeconds = fill.Elapsed.TotalSeconds;
        Console.WriteLine($"  stored {stored:N0} cases in {fillSeconds:F1} s");

        var links = new LinkStore(db);
        var runs = new List<LinkRun>
        {
            await TimeAsync("first run", links),
            await TimeAsync("nothing changed", links),
        };
        // The new cases are the next slices the demo loader would have generated: their own seeds and references.
        var added = extra == 0 ? 0 : await FillAsync(store, ingestion, seed, slices, extra, ct, null);
        Console.WriteLine($"  stored {added:N0} more cases");
        runs.Add(await TimeAsync($"after {added:N0} new cases", links));
        var loadAfter = LoadSampler.Uptime();
        Console.WriteLine($"  {loadAfter}");

        var markdown = Report(command, started, machine, cases, stored, extra, added, seed, fillSeconds, loadBefore, loadAfter, runs);
        Console.WriteLine();
        Console.WriteLine(markdown);
        await run.WriteReportsAsync("links", markdown, new
        {
            command,
            started = run.StartedText,
            machine,
            cases,
            stored,
            seed,
            newCases = extra,
            newStored = added,
            writeBatchSize = WriteBatchSize,
            fillSeconds = Math.Round(fillSeconds, 1),
            loadBefore,
            loadAfter,
            runs,
        }, ct);
        run.End();
        return 0;
    }

    /// <summary>
    /// Generates <paramref name="count"/> cases a slice at a time from slice <paramref name="firstSlice"/> on (each slice
    /// its own seed and reference suffix, as the demo loader does), prepares them on every core and stores them in
    /// batches of 1,000. Reports progress about every tenth of the count.
    /// </summary>
    private static async Task<int> FillAsync(CaseStore store, CaseIngestion ingestion, int seed, int firstSlice, int count, CancellationToken ct,
        Action<int, int>? progress)
    {
        var stored = 0;
        var reported = 0;
        for (var slice = firstSlice; stored < count; slice++)
        {
            var size = Math.Min(SliceSize, count - stored);
            var dataset = new CaseGenerator(new GeneratorOptions
            {
                Seed = seed + slice,
                Count = size,
                ReferenceSuffix = slice == 0 ? null : $"-{slice}",
            }).Run();
            var prepared = new CaseWrite?[dataset.Cases.Count];
            Parallel.For(0, dataset.Cases.Count, i => prepared[i] = ingestion.Prepare(dataset.Cases[i].Case, submitter: null).Case?.Write);
            var writes = prepared.OfType<CaseWrite>().ToList();
            if (writes.Count != dataset.Cases.Count) throw new InvalidOperationException($"{dataset.Cases.Count - writes.Count} generated cases were rejected.");
            foreach (var chunk in writes.Chunk(1_000))
            {
                await store.UpsertAsync(chunk, ct);
                stored += chunk.Length;
                if (progress is not null && (stored * 10L / count > reported || stored == count))
                {
                    reported = (int)(stored * 10L / count);
                    progress(stored, count);
                }
            }
        }
        return stored;
    }

    private static async Task<LinkRun> TimeAsync(string name, LinkStore links)
    {
        var (result, cost) = await StepMeasure.RunAsync(() => links.RecomputeAsync(WriteBatchSize, CancellationToken.None));
        var run = new LinkRun(name, cost.Seconds, cost.CpuSeconds, cost.AllocatedMb, cost.PeakMb, cost.PeakReset,
            result.Groups, result.LinkedCases, result.CrossBorderGroups, result.Rewritten, result.NewAlerts, result.Skipped);
        Console.WriteLine($"  {name,-24} {cost.Seconds,7:F2} s  cpu {cost.CpuSeconds,6:F2} s  allocated {cost.AllocatedMb,7:N0} MB  peak {(cost.PeakMb is { } q ? $"{q:N0} MB" : "n/a")}  " +
            $"{result.Groups:N0} groups, {(result.Skipped ? 0 : result.Rewritten):N0} written, {result.LinkedCases:N0} linked cases{(result.Skipped ? " (skipped: nothing changed)" : "")}");
        return run;
    }

    private static string Report(string command, DateTime started, MachineInfo machine, int cases, int stored, int extra, int added, int seed, double fillSeconds,
        string loadBefore, string loadAfter, IReadOnlyList<LinkRun> runs)
    {
        var peakNote = runs.All(r => r.PeakReset)
            ? "The process peak is VmHWM, reset before each run (`/proc/self/clear_refs`), so it is the run's own peak over what the process already held."
            : "The process peak is VmHWM; it could not be reset before each run, so it is the process's peak so far, filling the store included.";
        var markdown = new StringBuilder()
            .AppendLine("# Link computation")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Command: `{command}`")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Run {started:yyyy-MM-dd HH:mm} UTC on {machine}.")
            .AppendLine()
            .Append(CultureInfo.InvariantCulture, $"`LinkStore.RecomputeAsync` as the `compute-links` job calls it when a steward asks (write batch {WriteBatchSize:N0}, not throttled), ")
            .Append(CultureInfo.InvariantCulture, $"in one process on a fresh SQLite store of {stored:N0} generated cases (seed {seed}, stored in {fillSeconds:F0} s): the first run, ")
            .Append(CultureInfo.InvariantCulture, $"a second run with nothing changed (the job's next run), and a run after {added:N0} more cases were stored. Groups and links are as the run reports them; ")
            .AppendLine("\"written\" is the groups new or changed and so written again.")
            .AppendLine()
            .AppendLine("| run | time | processor time | allocated | process peak | groups | written | linked cases | cross-border groups | new alerts |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            var peak = r.PeakMb is { } mb ? mb.ToString("N0", CultureInfo.InvariantCulture) + " MB" : "n/a";
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name}{(r.Skipped ? " (skipped)" : "")} | {r.Seconds:F2} s | {r.CpuSeconds:F2} s | {r.AllocatedMb:N1} MB | {peak} | {r.Groups:N0} | {(r.Skipped ? 0 : r.Rewritten):N0} | {r.LinkedCases:N0} | {r.CrossBorderGroups:N0} | {r.NewAlerts:N0} |");
        }
        markdown
            .AppendLine()
            .AppendLine(peakNote + " Allocated is `GC.GetTotalAllocatedBytes(true)` over the call; processor time is the whole process's. " +
                "A skipped run writes nothing and returns the counts of the run before it (links.json keeps them as returned).")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Load before: `{loadBefore}`")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Load after: `{loadAfter}`");
        return markdown.ToString();
    }
}
