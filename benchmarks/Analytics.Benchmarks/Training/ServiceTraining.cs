using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Analytics.Api.Learning;
using Analytics.Data.Database;
using Analytics.Data.Insights;
using Analytics.Data.Jobs;
using Analytics.Data.Patterns;
using Analytics.Learning.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks.Training;

/// <summary>
/// The service's own training path on a SQLite store of N generated cases: <c>service-load</c> fills the store (its own
/// process), then <c>service-patterns</c> / <c>service-classifier</c> run <see cref="LearningJobs.TrainAsync"/> in a fresh
/// process, so the peak (VmHWM) is that of reading the stored profiles and training, as the train job does it.
/// </summary>
public static class ServiceTraining
{
    public static string Database(string work, int size) => Path.Combine(work, $"service-{size}.db");

    private static Db Open(string work, int size) =>
        new(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={Database(work, size)}" });

    /// <summary>
    /// Writes N active cases with the benchmark's profiles into a fresh store (one transaction). Only what training reads
    /// is real: the profile and status; the other columns hold fixed placeholders (no identifier is generated at all).
    /// </summary>
    public static StepResult Load(int size, string work, BenchSettings s)
    {
        Directory.CreateDirectory(work);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(Database(work, size) + suffix);
        var clock = Stopwatch.StartNew();
        var db = Open(work, size);
        new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        var profiles = BenchmarkProfiles.Build(size, s.Seed);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        using (var connection = db.OpenAsync(CancellationToken.None).GetAwaiter().GetResult())
        {
            using var tx = connection.BeginTransaction();
            const string insert = """
                INSERT INTO cases (id, jurisdiction, authority, case_ref_token, key_id, stage, period_from, period_to, victim_count,
                    suspect_count, profile, status, version, record_hash, submitted_at, updated_at)
                VALUES (@Id, @Jurisdiction, 'bench', @Ref, 'bench', 'investigation', @PeriodFrom, NULL, @Victims, @Suspects, @Profile,
                    'active', 1, '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                """;
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = insert;
            var parameters = new[] { "@Id", "@Jurisdiction", "@Ref", "@PeriodFrom", "@Victims", "@Suspects", "@Profile" }.Select(name =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
                return parameter;
            }).ToArray();
            for (var i = 0; i < profiles.Count; i++)
            {
                var p = profiles[i];
                parameters[0].Value = $"case-{i:D8}";
                parameters[1].Value = p.Jurisdiction;
                parameters[2].Value = $"ref-{i:D8}";
                parameters[3].Value = (object?)p.PeriodFrom ?? DBNull.Value;
                parameters[4].Value = p.Victims.Count;
                parameters[5].Value = p.Suspects.Count;
                parameters[6].Value = JsonSerializer.Serialize(p, json);
                command.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return new StepResult
        {
            Step = "service-load",
            Size = size,
            Seconds = clock.Elapsed.TotalSeconds,
            PeakMb = TrainingSteps.PeakMb(),
            Notes = new() { ["databaseMb"] = (new FileInfo(Database(work, size)).Length / 1048576.0).ToString("F0", CultureInfo.InvariantCulture) },
        };
    }

    /// <summary>Runs the train job of one model (<see cref="ModelNames"/>) on the loaded store, as the service runs it.</summary>
    public static StepResult Train(int size, string work, BenchSettings s, string model)
    {
        if (!File.Exists(Database(work, size)))
            throw new InvalidOperationException($"{Database(work, size)} is missing: run the service-load step first.");
        var db = Open(work, size);
        var root = Path.Combine(work, $"service-models-{size}");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        var registry = new ModelRegistry(root);
        using var serving = new ModelServing(registry, NullLogger<ModelServing>.Instance);
        var jobStore = new JobStore(db);
        // The job storage holds the training lock; nothing is queued here, as nothing fails over to a job of its own.
        var storage = new Hangfire.InMemory.InMemoryStorage();
        // The benchmark trains only; its aggregates' record keys come from a throw-away key.
        var cellKeys = new CellKeys(new Analytics.Core.Pseudonymisation.KeyRing(new Analytics.Core.Pseudonymisation.PseudonymisationKey("bench", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));
        var client = new Hangfire.BackgroundJobClient(storage);
        var jobs = new LearningJobs(new PatternStore(db), new InsightStore(db), cellKeys, jobStore, registry, serving, storage, client, new TrainingRequests(storage, client),
            Options.Create(new LearningOptions { ModelsRoot = root, Seed = s.Seed }), NullLogger<LearningJobs>.Instance);
        var clock = Stopwatch.StartNew();
        var cpu = TrainingSteps.Cpu();
        jobs.TrainAsync(model, CancellationToken.None).GetAwaiter().GetResult();
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = TrainingSteps.Cpu() - cpu;
        var outcome = jobStore.RunsAsync(null, 1, CancellationToken.None).GetAwaiter().GetResult().FirstOrDefault()?.Detail ?? "";
        return new StepResult
        {
            Step = model == ModelNames.Patterns ? "service-patterns" : "service-classifier",
            Size = size,
            Seconds = seconds,
            CpuSeconds = cpu,
            PeakMb = TrainingSteps.PeakMb(),
            Notes = new() { ["job"] = outcome },
        };
    }
}
