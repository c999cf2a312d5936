using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Analytics.Data.ApiKeys;
using Analytics.Data.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Analytics.Benchmarks.Ingest;

/// <summary>
/// <c>ingest --database sqlite,postgres --nodes 1,2</c>: the same HTTP phases (single-case POSTs, NDJSON batches) on each
/// database in one run, and on PostgreSQL with several service processes sharing the database and Hangfire storage
/// (the load is split evenly between the nodes; their rates are added). SQLite is one process by design, so it is
/// measured with one node only. Each configuration gets a fresh database. Writes docs/benchmarks/ingestion-databases.md.
/// </summary>
public static class DatabaseComparison
{
    public const string PostgresVariable = "ANALYTICS_BENCH_POSTGRES";
    // Smaller than the single-database benchmark's batches so that a batch finishes within a phase on a loaded machine.
    private const int BatchSize = 250;

    public sealed record Row(string Database, int Nodes, string Phase, int Workers, long Cases, double Seconds, double CasesPerSecond, double P50Ms, double P99Ms, long Failures);

    public static async Task<int> RunAsync(IngestOptions options, string[] rawArgs)
    {
        var databases = options.Databases ?? ["sqlite"];
        var nodes = options.Nodes ?? [1];
        var server = options.Postgres ?? Environment.GetEnvironmentVariable(PostgresVariable) ?? Environment.GetEnvironmentVariable("ANALYTICS_TEST_POSTGRES");
        if (databases.Contains("postgres") && server is null)
        {
            Console.Error.WriteLine($"--database postgres needs a server: --postgres \"Host=127.0.0.1;Username=…;Password=…\" or {PostgresVariable}.");
            return 2;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var ct = cts.Token;
        var command = "dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- " + string.Join(' ', rawArgs);
        var apiDll = await IngestBenchmark.LocateApiAsync(options, ct);
        var payloads = CasePayloads.Generate(options.Cases, options.Seed);
        var phase = TimeSpan.FromSeconds(options.Seconds);
        var rows = new List<Row>();
        var loads = new List<string>();
        var started = DateTimeOffset.UtcNow;

        foreach (var database in databases)
        foreach (var count in nodes)
        {
            if (database == "sqlite" && count > 1)
            {
                Console.WriteLine("sqlite with several nodes: skipped (an embedded database file serves one process)");
                continue;
            }
            var workDir = Directory.CreateTempSubdirectory("analytics-bench-db-").FullName;
            var pgName = $"analytics_bench_{Guid.NewGuid():n}";
            var connection = database == "postgres"
                ? new NpgsqlConnectionStringBuilder(server) { Database = pgName }.ConnectionString
                : $"Data Source={Path.Combine(workDir, "bench.db")}";
            var processes = new List<ServerProcess>();
            try
            {
                if (database == "postgres") await ExecuteAsync(Admin(server!), $"CREATE DATABASE \"{pgName}\"", ct);
                Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {database}, {count} node(s)");
                var db = new Db(new DatabaseOptions { Provider = database, ConnectionString = connection });
                await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).RunAsync(ct);
                var key = (await new ApiKeyStore(db).CreateAsync("benchmark prosecutor", Roles.Prosecutor, CasePayloads.Jurisdiction, CasePayloads.Authority, ct)).Key;
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                for (var n = 0; n < count; n++)
                {
                    var nodeDir = Path.Combine(workDir, $"node{n}");
                    Directory.CreateDirectory(nodeDir);
                    var settings = new Dictionary<string, string>
                    {
                        ["Database__Provider"] = database,
                        ["Database__ConnectionString"] = connection,
                        ["Jobs__Storage"] = database == "postgres" ? "postgres" : "inmemory",
                        // Shared by every node: one key ring, one models folder.
                        ["Pseudonymisation__KeyFile"] = Path.Combine(workDir, "keys.json"),
                        ["Learning__ModelsRoot"] = Path.Combine(workDir, "models"),
                        ["FirstRun__IssueKeys"] = "false",
                    };
                    processes.Add(await ServerProcess.StartAsync(apiDll, nodeDir, ct, settings));
                }

                rows.Add(await PhaseAsync(database, count, "single", processes, key, options.Concurrency,
                    (p, c, w) => LoadPhases.SinglesAsync(p, c, payloads, w, phase, ct)));
                rows.Add(await PhaseAsync(database, count, $"batch {BatchSize:N0}", processes, key, 2,
                    (p, c, w) => LoadPhases.BatchesAsync(p, c, payloads, BatchSize, w, phase, ct)));
                loads.Add(File.ReadAllText("/proc/loadavg").Split(' ')[0]);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or NpgsqlException)
            {
                // One configuration that cannot start (e.g. a node not live within 60 s on a loaded machine) is reported, not fatal.
                Console.WriteLine($"  {database} with {count} node(s) not measured: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                rows.Add(new Row(database, count, "not measured: " + e.GetType().Name, 0, 0, 0, 0, 0, 0, 1));
            }
            finally
            {
                foreach (var p in processes) await p.DisposeAsync();
                if (database == "postgres")
                {
                    NpgsqlConnection.ClearAllPools();
                    await ExecuteAsync(Admin(server!), $"DROP DATABASE IF EXISTS \"{pgName}\" WITH (FORCE)", CancellationToken.None);
                }
                try { Directory.Delete(workDir, recursive: true); } catch (IOException) { }
            }
        }

        var markdown = Markdown(command, started, options, payloads.MeanBytes, rows, loads);
        Console.WriteLine();
        Console.WriteLine(markdown);
        var outDir = Path.GetFullPath(options.Out);
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, "ingestion-databases.md"), markdown, ct);
        Console.WriteLine($"wrote {Path.Combine(outDir, "ingestion-databases.md")}");
        return rows.Any(r => r.Failures > 0) ? 1 : 0;
    }

    /// <summary>Runs one phase on every node at once, each with <paramref name="workers"/> divided between them, and adds the rates.</summary>
    private static async Task<Row> PhaseAsync(string database, int count, string name, List<ServerProcess> processes, string key, int workers,
        Func<ServerProcess, HttpClient, int, Task<LoadResult>> run)
    {
        var perNode = Math.Max(1, workers / processes.Count);
        var clients = processes.Select(p => LoadPhases.Client(p.BaseAddress, key, perNode)).ToList();
        try
        {
            var results = await Task.WhenAll(processes.Select((p, i) => run(p, clients[i], perNode)));
            var row = new Row(database, count, name, perNode * processes.Count, results.Sum(r => r.Cases), results.Max(r => r.Seconds),
                results.Sum(r => r.CasesPerSecond), results.Average(r => r.P50Ms), results.Max(r => r.P99Ms), results.Sum(r => r.Failures));
            Console.WriteLine($"  {name}: {row.CasesPerSecond:N0} cases/s ({row.Cases:N0} in {row.Seconds:N1} s), p50 {row.P50Ms:N1} ms, p99 {row.P99Ms:N1} ms, failures {row.Failures}" +
                              (results.FirstOrDefault(r => r.FirstFailure is not null)?.FirstFailure is { } f ? $"; first failure: {f}" : ""));
            return row;
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    private static string Admin(string server) => new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Markdown(string command, DateTimeOffset started, IngestOptions o, double meanBytes, List<Row> rows, List<string> loads)
    {
        var inv = CultureInfo.InvariantCulture;
        string N(double v, int d = 0) => v.ToString("N" + d, inv);
        var sb = new StringBuilder();
        sb.AppendLine("# Ingestion by database and number of nodes");
        sb.AppendLine();
        sb.AppendLine($"Command: `{command}`");
        sb.AppendLine();
        sb.AppendLine($"Run {started:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}. The load generator, every service process " +
                      $"and PostgreSQL share the machine. {N(o.Cases)} generated cases (mean {N(meanBytes)} bytes), each request a new case for RO / RO-BENCH; " +
                      $"timed phases of {N(o.Seconds)} s after a short warm-up, a fresh database per configuration. With two nodes the workers are split " +
                      "between them and the rates added. PostgreSQL runs with Debian's default settings.");
        sb.AppendLine();
        sb.AppendLine("| Database | Nodes | Phase | Workers | Cases | Cases/s | p50 | p99 | Failures |");
        sb.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Database} | {r.Nodes} | {r.Phase} | {r.Workers} | {N(r.Cases)} | {N(r.CasesPerSecond)} | {N(r.P50Ms, 1)} ms | {N(r.P99Ms, 1)} ms | {N(r.Failures)} |");
        sb.AppendLine();
        sb.AppendLine($"Load on the machine (1-minute load average) after each configuration: {string.Join(", ", loads)}. The machine's two cores were shared " +
                      "with other builds during the run, so the figures are as measured, not a ceiling: compare the rows with each other rather than with other runs.");
        return sb.ToString();
    }
}
