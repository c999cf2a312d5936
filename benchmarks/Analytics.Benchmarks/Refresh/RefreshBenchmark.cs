using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Analytics.Api.Learning;
using Analytics.Benchmarks.Suite;
using Analytics.Benchmarks.Training;
using Analytics.Core.Pseudonymisation;
using Analytics.Data.Database;
using Analytics.Data.Insights;
using Analytics.Data.Jobs;
using Analytics.Data.Patterns;
using Analytics.Learning.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Analytics.Benchmarks.StepMeasure;

namespace Analytics.Benchmarks.Refresh;

/// <summary>
/// The cost of the <c>refresh-aggregates</c> job on a SQLite store of N generated cases, in one process: the store is
/// filled as the training benchmark's service steps fill it, the pattern model is trained and the cases assigned by the
/// service's own jobs, then <see cref="LearningJobs.RefreshAggregatesAsync"/> (the whole job) is timed a few times, and
/// apart from it the record-key step (<see cref="CellKeys.Of(IReadOnlyList{string})"/> over every active case's id).
/// </summary>
public static class RefreshBenchmark
{
    public const string Usage = "refresh [--cases 100000] [--runs 3] [--seed 42] [--work DIR (kept; a later run with the same DIR and --cases reuses its store and model)] [--out docs/benchmarks]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (!BenchRun.TryOptions(Usage, () =>
            {
                var o = (Cases: Int(args, "--cases", 100_000), Runs: Int(args, "--runs", 3), Seed: Int(args, "--seed", 42));
                return o.Cases >= 1 && o.Runs >= 1 ? o : throw new ArgumentException("refresh: --cases and --runs must be at least 1.");
            }, out var options))
            return 2;
        var (cases, runs, seed) = options;
        var run = BenchRun.Begin("refresh", args);
        var (work, command, machine, started, loadBefore) = (run.Work, run.Command, run.Machine, run.Started, run.LoadBefore);
        var ct = CancellationToken.None;
        var settings = new BenchSettings { Seed = seed };
        Console.WriteLine($"refresh: {cases:N0} generated cases (seed {seed}), {runs} runs; work directory {work}");
        Console.WriteLine($"  {loadBefore}");

        var steps = new List<TimedStep>();
        var database = ServiceTraining.Database(work, cases);
        var reused = File.Exists(database);
        if (!reused)
        {
            var load = ServiceTraining.Load(cases, work, settings);
            Console.WriteLine($"  stored {cases:N0} cases in {load.Seconds:F1} s");
            steps.Add(new TimedStep("store the cases", Math.Round(load.Seconds, 3), 0, 0, load.PeakMb, false, $"{load.Notes["databaseMb"]} MB database"));
        }

        var db = new Db(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={database}" });
        var root = Path.Combine(work, $"refresh-models-{cases}");
        var registry = new ModelRegistry(root);
        using var serving = new ModelServing(registry, NullLogger<ModelServing>.Instance);
        var jobStore = new JobStore(db);
        var patterns = new PatternStore(db);
        // A fixed key per seed: the same cases get the same record keys from one run to the next.
        var cellKeys = new CellKeys(new KeyRing(new PseudonymisationKey("bench", SHA256.HashData(Encoding.UTF8.GetBytes($"refresh-benchmark-{seed}")))));
        // The job storage only holds the jobs' locks: nothing is queued here.
        var storage = new Hangfire.InMemory.InMemoryStorage();
        var client = new Hangfire.BackgroundJobClient(storage);
        var jobs = new LearningJobs(patterns, new InsightStore(db), cellKeys, jobStore, registry, serving, storage, client, new TrainingRequests(storage, client),
            Options.Create(new LearningOptions { ModelsRoot = root, Seed = seed }), NullLogger<LearningJobs>.Instance);

        serving.Refresh();
        if (serving.Patterns.Current is null)
        {
            // Pattern cells and pattern-month rows need a model and the cases assigned to it, as the service has them.
            steps.Add(await TimeAsync("train the pattern model", () => jobs.TrainAsync(ModelNames.Patterns, ct), jobStore));
            steps.Add(await TimeAsync("assign the cases", () => jobs.AssignPatternsAsync(ct), jobStore));
        }
        if (serving.Patterns.Current is null)
        {
            Console.Error.WriteLine("refresh: no pattern model went live; the pattern cells would not be refreshed.");
            return 1;
        }

        var timed = new List<TimedStep>();
        for (var i = 1; i <= runs; i++)
            timed.Add(await TimeAsync($"refresh-aggregates, run {i}", () => jobs.RefreshAggregatesAsync(ct), jobStore));

        // The ids as the job reads them, then only the step that works out their record keys.
        var ids = new List<string>();
        await patterns.ActiveCompactProfilesAsync(ct, ids);
        for (var i = 1; i <= runs; i++)
            timed.Add(await TimeAsync($"record keys, run {i}", () =>
            {
                var keys = cellKeys.Of(ids);
                return Task.FromResult($"{keys.Length:N0} record keys");
            }));
        var loadAfter = LoadSampler.Uptime();
        Console.WriteLine($"  {loadAfter}");

        var markdown = Report(command, started, machine, cases, ids.Count, seed, reused, steps, timed, loadBefore, loadAfter);
        Console.WriteLine();
        Console.WriteLine(markdown);
        await run.WriteReportsAsync("refresh", markdown, new
        {
            command,
            started = run.StartedText,
            machine,
            cases,
            activeCases = ids.Count,
            seed,
            reusedStore = reused,
            loadBefore,
            loadAfter,
            preparation = steps,
            runs = timed,
        }, ct);
        run.End();
        return 0;
    }

    // A job's outcome is the detail of its latest run in job_runs (a failed job throws).
    private static Task<TimedStep> TimeAsync(string name, Func<Task> job, JobStore jobStore) =>
        TimeAsync(name, async () =>
        {
            await job();
            return (await jobStore.RunsAsync(null, 1, CancellationToken.None)).FirstOrDefault()?.Detail ?? "";
        });

    private static Task<TimedStep> TimeAsync(string name, Func<Task<string>> step) => StepMeasure.TimeAsync(name, step);

    private static string Report(string command, DateTime started, MachineInfo machine, int cases, int active, int seed, bool reused,
        IReadOnlyList<TimedStep> steps, IReadOnlyList<TimedStep> runs, string loadBefore, string loadAfter)
    {
        var peakNote = runs.All(r => r.PeakReset)
            ? "The process peak is VmHWM, reset before each step (`/proc/self/clear_refs`), so it is the step's own peak over what the process already held (the filled store's connection pool, the model)."
            : "The process peak is VmHWM; it could not be reset before each step, so it is the process's peak so far, filling the store and training included.";
        var markdown = new StringBuilder()
            .AppendLine("# Aggregate refresh")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Command: `{command}`")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Run {started:yyyy-MM-dd HH:mm} UTC on {machine}.")
            .AppendLine()
            .Append(CultureInfo.InvariantCulture, $"`LearningJobs.RefreshAggregatesAsync`, the whole `refresh-aggregates` job, in one process on a SQLite store of {active:N0} active generated cases ")
            .Append(CultureInfo.InvariantCulture, $"(seed {seed}; stored as the training benchmark's `service-load` step stores them{(reused ? ", kept from an earlier run" : "")}), ")
            .Append("after the service's own jobs trained the pattern model and assigned the cases to it. Each run reads the active cases, works out their record keys, ")
            .Append("and rewrites the summary, route and pattern-month aggregates and the pattern filter cells with their key sums. ")
            .AppendLine("The record-key step (`CellKeys.Of` over every active case's id, one HMAC-SHA256 each) is then timed alone.")
            .AppendLine()
            .AppendLine("| step | time | processor time | allocated | process peak | outcome |")
            .AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var r in steps.Concat(runs))
        {
            var peak = r.PeakMb is { } mb ? mb.ToString("N0", CultureInfo.InvariantCulture) + " MB" : "n/a";
            var cpu = r.CpuSeconds > 0 ? $"{r.CpuSeconds:F3} s" : "";
            var allocated = r.AllocatedMb > 0 ? $"{r.AllocatedMb:N1} MB" : "";
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.Seconds:F3} s | {cpu} | {allocated} | {peak} | {r.Detail} |");
        }
        var refreshes = runs.Where(r => r.Name.StartsWith("refresh-aggregates", StringComparison.Ordinal)).ToList();
        var keys = runs.Where(r => r.Name.StartsWith("record keys", StringComparison.Ordinal)).ToList();
        if (refreshes.Count > 0 && keys.Count > 0)
        {
            var refresh = Median(refreshes.Select(r => r.Seconds));
            var key = Median(keys.Select(r => r.Seconds));
            markdown
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture,
                    $"Median of the runs: the job {refresh:F3} s, the record keys {key:F3} s ({(refresh > 0 ? key / refresh : 0):P1} of the job; {(key > 0 ? active / key : 0):N0} keys/s).");
        }
        markdown
            .AppendLine()
            .AppendLine(peakNote + " Allocated is `GC.GetTotalAllocatedBytes(true)` over the step; processor time is the whole process's, all threads. " +
                "Storing the cases is timed once, without processor time or allocation.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Load before: `{loadBefore}`")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Load after: `{loadAfter}`");
        return markdown.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
