using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Analytics.Data.Cases;
using Analytics.Data.Database;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Analytics.Benchmarks.StepMeasure;

namespace Analytics.Benchmarks.Bulk;

/// <summary>
/// The case store's batch write, row by row against the bulk path (COPY on PostgreSQL, prepared statements on SQLite), in one
/// process on a fresh database per run: N new cases in batches, then the same batches again (every case unchanged).
/// </summary>
public static class BulkBenchmark
{
    public const string Usage = "bulk [--databases sqlite,postgres] [--postgres CONNECTION] [--cases 10000] [--batch 100] [--rounds 2]";

    public static async Task<int> RunAsync(string[] args)
    {
        var databases = (Arg(args, "--databases") ?? "sqlite,postgres").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var postgres = Arg(args, "--postgres") ?? Environment.GetEnvironmentVariable("ANALYTICS_TEST_POSTGRES");
        if (!BenchRun.TryOptions(Usage, () => (
                Math.Clamp(Int(args, "--cases", 10_000), 100, 100_000),
                Math.Clamp(Int(args, "--batch", 100), 1, 1_000),
                Math.Clamp(Int(args, "--rounds", 2), 1, 5)), out var options))
            return 2;
        var (cases, batch, rounds) = options;
        if (databases.Contains("postgres") && postgres is null)
        {
            Console.Error.WriteLine("bulk: --postgres (or ANALYTICS_TEST_POSTGRES) is needed for the postgres runs.");
            return 2;
        }
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        Console.WriteLine($"bulk: {cases:N0} cases of ~3 KB in batches of {batch}, best of {rounds} rounds, load average {load}");
        Console.WriteLine($"{"database",-9} {"path",-11} {"new cases/s",12} {"replay cases/s",15}");
        var writes = Enumerable.Range(0, cases).Select(Case).ToList();
        foreach (var database in databases)
        {
            foreach (var (path, threshold) in new[] { ("row-by-row", int.MaxValue), ("bulk", 1) })
            {
                var (bestNew, bestReplay) = (0.0, 0.0);
                for (var round = 0; round < rounds; round++)
                {
                    await using var target = await FreshDatabase.CreateAsync(database, postgres);
                    var db = new Db(target.Options);
                    await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
                    var store = new CaseStore(db) { BulkThreshold = threshold };
                    bestNew = Math.Max(bestNew, await RateAsync(store, writes, batch, WriteOutcome.Created));
                    bestReplay = Math.Max(bestReplay, await RateAsync(store, writes, batch, WriteOutcome.Unchanged));
                }
                Console.WriteLine($"{database,-9} {path,-11} {bestNew,12:N0} {bestReplay,15:N0}");
            }
        }
        return 0;
    }

    private static async Task<double> RateAsync(CaseStore store, IReadOnlyList<CaseWrite> writes, int batch, WriteOutcome expected)
    {
        var watch = Stopwatch.StartNew();
        foreach (var chunk in writes.Chunk(batch))
        {
            var results = await store.UpsertAsync(chunk, CancellationToken.None);
            if (results.Any(r => r.Outcome != expected)) throw new InvalidOperationException($"expected every case {expected}");
        }
        return writes.Count / watch.Elapsed.TotalSeconds;
    }

    // Shaped like an ingested case: a ~3 KB canonical record, a ~400 byte profile, six tokens.
    private static CaseWrite Case(int i)
    {
        var record = $$"""{"caseReferenceToken":"ref-{{i:D7}}","summary":"{{new string('s', 2_800)}}","victims":[{"ageBand":"15-17"}]}""";
        var profile = $$"""{"jurisdiction":"RO","periodFrom":"2024-{{i % 12 + 1:D2}}","exploitationTypes":["sexual"],"routeCountries":["MD","RO"],"pad":"{{new string('p', 300)}}"}""";
        var tokens = new[] { "phone", "email", "iban", "handle", "document", "plate" }.Select(t => $"{t}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{t}{i}")))}").ToList();
        return new CaseWrite("RO", $"RO-BENCH-{i % 8}", $"ref-{i:D7}", "k1", "investigation", "2024-01", null, 1, 1, profile, record,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(record))), tokens);
    }

    private sealed class FreshDatabase(DatabaseOptions options, Func<Task> drop) : IAsyncDisposable
    {
        public DatabaseOptions Options { get; } = options;

        public static async Task<FreshDatabase> CreateAsync(string database, string? postgres)
        {
            switch (database)
            {
                case "sqlite":
                    var path = Path.Combine(Path.GetTempPath(), $"analytics-bulk-{Guid.NewGuid():n}.db");
                    return new FreshDatabase(new DatabaseOptions { Provider = "sqlite", ConnectionString = $"Data Source={path}" }, () =>
                    {
                        SqliteConnection.ClearAllPools();
                        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
                        return Task.CompletedTask;
                    });
                case "postgres":
                    var name = $"analytics_bulk_{Guid.NewGuid():n}";
                    var admin = new NpgsqlConnectionStringBuilder(postgres) { Database = "postgres", Pooling = false }.ConnectionString;
                    await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"");
                    var options = new DatabaseOptions { Provider = "postgres", ConnectionString = new NpgsqlConnectionStringBuilder(postgres) { Database = name }.ConnectionString };
                    return new FreshDatabase(options, async () =>
                    {
                        NpgsqlConnection.ClearAllPools();
                        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    });
                default:
                    throw new ArgumentException($"bulk: unknown database '{database}' (sqlite or postgres).");
            }
        }

        private static async Task ExecuteAsync(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync() => await drop();
    }
}
